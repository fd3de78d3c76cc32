<#
.SYNOPSIS
    Runs the checks of the Windows-only process code (tests/PgBackupTools.WindowsChecks): on Windows directly, elsewhere
    under Wine (wine64) when it is installed.
.DESCRIPTION
    The detached start of Start-PgWalStream (CreateProcessW, job objects, inherited log handle) and the process identity
    checks only run on Windows, so the xUnit and Pester suites on Linux cannot reach them. This publishes the checks as a
    self-contained win-x64 program and runs it. Under Wine 8 the job-limit check cannot be made (Wine reports zeroed job
    limits) and Wine's process list sometimes hangs or crashes .NET's Process.GetProcessById; on Windows neither applies.
    The exit code is the number of failed checks; with -SummaryPath the counts are also written there as JSON
    (Passed, Failed, NotChecked), as ./build.ps1 -Task Test reads them.
#>
[CmdletBinding()]
param(
    [string] $Wine = '/usr/lib/wine/wine64',
    [string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
$project = Join-Path $PSScriptRoot '../PgBackupTools.WindowsChecks/PgBackupTools.WindowsChecks.csproj'
$out = Join-Path ([IO.Path]::GetTempPath()) "pgbt-windows-checks-$PID"
# Not a single file: Wine cannot start a single-file .NET bundle.
& dotnet publish $project -c Release -r win-x64 --self-contained -o $out --nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw "dotnet publish of the Windows checks failed ($LASTEXITCODE)." }
$exe = Join-Path $out 'pgbt-windows-checks.exe'
try {
    if ($IsWindows) {
        $output = & $exe 2>&1 | ForEach-Object { "$_" }
    } else {
        if (-not (Test-Path $Wine)) { throw "Not on Windows and no Wine at $Wine (Debian: apt-get install wine64)." }
        $env:WINEDEBUG = '-all'
        if (-not $env:WINEPREFIX) { $env:WINEPREFIX = Join-Path ([IO.Path]::GetTempPath()) 'pgbt-wineprefix' }
        $output = & $Wine $exe 2>&1 | ForEach-Object { "$_" }
    }
    $code = $LASTEXITCODE
    $output | Write-Host
    $summary = @($output) -match '^Windows process checks: (\d+) passed, (\d+) failed, (\d+) not checked\.$'
    if ($SummaryPath) {
        $counts = if ($summary -and $summary[-1] -match '(\d+) passed, (\d+) failed, (\d+) not checked') {
            @{ Passed = [int]$Matches[1]; Failed = [int]$Matches[2]; NotChecked = [int]$Matches[3] }
        } else {
            @{ Passed = 0; Failed = 1; NotChecked = 0 }   # it crashed or hung before its summary
        }
        $counts | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
    }
    exit $(if ($summary) { $code } else { [Math]::Max($code, 1) })
} finally {
    Remove-Item $out -Recurse -Force -ErrorAction SilentlyContinue
}
