#Requires -Version 7.4
<#
.SYNOPSIS
    Runs tests/Pester/*.Tests.ps1 against a staged PgBackupTools module.

.DESCRIPTION
    Meant to run in a fresh pwsh (build.ps1 -Task Test starts one) so the freshly built module
    loads clean. Imports Pester 6.2.0 from the NuGet global packages folder (restored by the
    <PackageDownload> in tests/PgBackupTools.Tests), writes NUnit XML and a JSON summary to
    -ResultsDirectory, and exits non-zero when a test failed or when no test ran.
#>
param(
    # Path of the staged module manifest, e.g. out/PgBackupTools/PgBackupTools.psd1.
    [Parameter(Mandatory)]
    [string]$ModulePath,

    [string]$ResultsDirectory = (Join-Path $PSScriptRoot '../../out/test-results'),

    [string]$PesterVersion = '6.2.0',

    # Which test files to run, e.g. 'WalArchive*' while working on one suite.
    [string]$Filter = '*'
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$ModulePath = (Resolve-Path $ModulePath).ProviderPath
New-Item -ItemType Directory -Force -Path $ResultsDirectory | Out-Null
$ResultsDirectory = (Resolve-Path $ResultsDirectory).ProviderPath

# NuGet global packages folder: NUGET_PACKAGES, else what dotnet reports.
$nugetRoot = $env:NUGET_PACKAGES
if (-not $nugetRoot) {
    $lines = @(& dotnet nuget locals global-packages --list)   # collect first: Select-Object -First would stop the process early
    if ($LASTEXITCODE -ne 0) { throw "'dotnet nuget locals global-packages --list' failed with exit code $LASTEXITCODE." }
    $line = $lines | Where-Object { $_ -match '^\s*global-packages:' } | Select-Object -First 1
    if (-not $line) { throw "'dotnet nuget locals global-packages --list' printed no global-packages line: $lines" }
    $nugetRoot = ($line -replace '^\s*global-packages:\s*', '').Trim()
}
$pesterManifest = Join-Path $nugetRoot "pester/$PesterVersion/tools/Pester.psd1"
if (-not (Test-Path $pesterManifest)) {
    throw "Pester $PesterVersion not found at $pesterManifest. Run 'dotnet restore tests/PgBackupTools.Tests' (it downloads Pester through <PackageDownload>)."
}
Import-Module $pesterManifest -Force
Write-Host "Pester $((Get-Module Pester).Version) from $pesterManifest"
Write-Host "Module under test: $ModulePath"

# The tests find the module through this variable.
$env:PGBT_MODULE_PATH = $ModulePath

$config = New-PesterConfiguration
$config.Run.Path = @(Get-ChildItem $PSScriptRoot -Filter "$Filter.Tests.ps1" -File | ForEach-Object FullName)
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsDirectory 'pester.xml'
$config.Should.ErrorAction = 'Stop'

$result = Invoke-Pester -Configuration $config

$summary = [ordered]@{
    Result  = $result.Result
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    NotRun  = $result.NotRunCount
    Total   = $result.TotalCount
}
$summary | ConvertTo-Json | Set-Content -Path (Join-Path $ResultsDirectory 'pester-summary.json') -Encoding utf8NoBOM

if ($summary.Failed -gt 0 -or $result.Result -ne 'Passed') {
    Write-Host "Pester: $($summary.Failed) failure(s) (tests, blocks or containers)." -ForegroundColor Red
    exit 1
}
if ($result.PassedCount -eq 0) {
    Write-Host 'Pester: no test ran.' -ForegroundColor Red
    exit 1
}
exit 0
