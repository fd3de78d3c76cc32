#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the PgBackupTools PowerShell module.

.DESCRIPTION
    Build  - dotnet build, stage the module into out/PgBackupTools/, generate MAML help, smoke-import it.
    Test   - Build, then the xUnit suite (dotnet test) and the Pester suite (child pwsh), and print
             a closing "Tests: N passed, N failed" line.
    Demo   - Build, start a throwaway PostgreSQL, fill demo_shop, back it up and restore it with the cmdlets.
    Bench  - Build, then build/Bench.ps1: pg_dump/pg_restore versus Invoke-PgBackup/Restore-PgBackup, medians of -Runs.
    Clean  - remove out/ and the projects' bin/ and obj/.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Clean')]
    [string]$Task = 'Build',

    [string]$Configuration = 'Release',

    # pgbench scale factor for -Task Bench (1 = 100k accounts rows, ~15 MB).
    [int]$Scale = 30,

    # -Task Bench: how many interleaved runs of each compared step; the medians are compared.
    [ValidateRange(1, 15)]
    [int]$Runs = 3,

    # The helper module that starts a throwaway PostgreSQL server (Demo, Bench).
    [string]$TestPostgresModule = (Join-Path $PSScriptRoot 'tests/tools/TestPostgres.psm1')
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $false   # exit codes are checked explicitly (Invoke-Native)
$ProgressPreference = 'SilentlyContinue'

$RepoRoot = $PSScriptRoot
Import-Module (Join-Path $RepoRoot 'build/BuildTools.psm1') -Force

$OutDir = Join-Path $RepoRoot 'out'
$StageDir = Join-Path $OutDir 'PgBackupTools'
$StagedManifest = Join-Path $StageDir 'PgBackupTools.psd1'
$ResultsDir = Join-Path $OutDir 'test-results'
$SourceManifest = Join-Path $RepoRoot 'PgBackupTools.psd1'
$FormatFile = Join-Path $RepoRoot 'src/PgBackupTools/PgBackupTools.format.ps1xml'
$CmdletProject = Join-Path $RepoRoot 'src/PgBackupTools'
$EngineProject = Join-Path $RepoRoot 'src/PgBackupTools.Engine'
$WalToolProject = Join-Path $RepoRoot 'src/PgBackupTools.WalTool'
$TestProject = Join-Path $RepoRoot 'tests/PgBackupTools.Tests'

# Never staged into Dependencies/: PowerShell's own assemblies and the cmdlet assembly itself.
$ExcludedFromDependencies = @('System.Management.Automation*', 'Microsoft.PowerShell.*', 'Microsoft.Management.Infrastructure*', 'PgBackupTools.dll')

$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Invoke-Build {
    Write-Section "Build: checking sources"
    if (-not (Test-Path $SourceManifest)) {
        throw "Module manifest not found: $SourceManifest. The build stages it into out/PgBackupTools/ (RootModule = 'PgBackupTools.dll', FormatsToProcess = 'PgBackupTools.format.ps1xml', CmdletsToExport = explicit list)."
    }
    if (-not (Test-Path $FormatFile)) {
        throw "Format file not found: $FormatFile. The build stages it as out/PgBackupTools/PgBackupTools.format.ps1xml."
    }
    $manifestData = Import-PowerShellDataFile $SourceManifest
    if ($manifestData['RootModule'] -ne 'PgBackupTools.dll') {
        throw "PgBackupTools.psd1: RootModule must be 'PgBackupTools.dll' (found '$($manifestData['RootModule'])')."
    }
    $formats = @($manifestData['FormatsToProcess'])
    if ($formats -notcontains 'PgBackupTools.format.ps1xml') {
        throw "PgBackupTools.psd1: FormatsToProcess must contain 'PgBackupTools.format.ps1xml' (found '$($formats -join ', ')')."
    }
    $exports = @($manifestData['CmdletsToExport'] | Where-Object { $_ })
    if ($exports.Count -eq 0 -or $exports -contains '*') {
        throw "PgBackupTools.psd1: CmdletsToExport must be an explicit, non-empty list of cmdlet names."
    }
    Write-Host "Manifest OK: $($exports.Count) cmdlets to export: $($exports -join ', ')"

    Write-Section "Build: dotnet build PgBackupTools.sln -c $Configuration"
    Invoke-Native dotnet @('build', (Join-Path $RepoRoot 'PgBackupTools.sln'), '-c', $Configuration, '--nologo', '-v', 'minimal')

    Write-Section "Build: dotnet publish the engine (collects its dependency DLLs)"
    $publishDir = Join-Path ([IO.Path]::GetTempPath()) ("pgbt-engine-publish-" + [guid]::NewGuid().ToString('N'))
    try {
        Invoke-Native dotnet @('publish', $EngineProject, '-c', $Configuration, '-f', 'net8.0', '-o', $publishDir, '--no-build', '--nologo', '-v', 'minimal')

        Write-Section "Build: staging the module into out/PgBackupTools/"
        if (Test-Path $StageDir) { Remove-Item $StageDir -Recurse -Force }
        $depsDir = Join-Path $StageDir 'Dependencies'
        New-Item -ItemType Directory -Force -Path $depsDir, (Join-Path $StageDir 'en-US') | Out-Null

        # Cmdlet assembly (the only one loaded into the default load context) + pdb.
        $cmdletDll = @(Get-ChildItem (Join-Path $CmdletProject "bin/$Configuration") -Recurse -Filter 'PgBackupTools.dll' -File)
        if ($cmdletDll.Count -ne 1) {
            throw "Expected exactly one PgBackupTools.dll under $CmdletProject/bin/$Configuration, found $($cmdletDll.Count): $($cmdletDll.FullName -join ', ')"
        }
        $cmdletDll = $cmdletDll[0]
        Copy-Item $cmdletDll.FullName $StageDir
        $pdb = [IO.Path]::ChangeExtension($cmdletDll.FullName, '.pdb')
        if (Test-Path $pdb) { Copy-Item $pdb $StageDir }

        # Manifest, with ModuleVersion taken from the compiled assembly (Directory.Build.props <Version>).
        $asmVersion = [Reflection.AssemblyName]::GetAssemblyName($cmdletDll.FullName).Version
        $moduleVersion = '{0}.{1}.{2}' -f $asmVersion.Major, $asmVersion.Minor, [math]::Max(0, $asmVersion.Build)
        $text = Get-Content $SourceManifest -Raw
        $pattern = '(?m)^(\s*ModuleVersion\s*=\s*)([''"])[^''"]*\2'
        if ($text -notmatch $pattern) { throw "PgBackupTools.psd1 has no ModuleVersion = '...' line." }
        $text = [regex]::Replace($text, $pattern, "`${1}'$moduleVersion'")
        Set-Content -Path $StagedManifest -Value $text -Encoding utf8NoBOM -NoNewline
        Copy-Item $FormatFile $StageDir

        # Dependencies/: the engine and every third-party DLL, loaded into the module's private ALC.
        $deps = Get-ChildItem $publishDir -Filter '*.dll' -File | Where-Object {
            $n = $_.Name; -not ($ExcludedFromDependencies | Where-Object { $n -like $_ })
        }
        if (-not ($deps | Where-Object Name -eq 'PgBackupTools.Engine.dll')) { throw "PgBackupTools.Engine.dll missing from the publish output $publishDir." }
        $deps | Copy-Item -Destination $depsDir
        $enginePdb = Join-Path $publishDir 'PgBackupTools.Engine.pdb'
        if (Test-Path $enginePdb) { Copy-Item $enginePdb $depsDir }
        $native = Join-Path $publishDir 'runtimes'
        if (Test-Path $native) { Copy-Item $native $depsDir -Recurse }   # native assets, if a dependency ever brings some
        Write-Host ("Staged {0} dependency DLLs: {1}" -f @($deps).Count, ((@($deps).Name | Sort-Object) -join ', '))
        Publish-PrecompiledDependencies -DependenciesDirectory $depsDir
        Publish-WalTool
    } finally {
        if (Test-Path $publishDir) { Remove-Item $publishDir -Recurse -Force }
    }

    Write-Section "Build: generating MAML help from docs/help/*.psd1 and the compiled cmdlets"
    Invoke-ChildPwsh -RepoRoot $RepoRoot -File (Join-Path $RepoRoot 'build/Help.ps1') -ArgumentList @(
        '-ModulePath', $StagedManifest,
        '-SourceDirectory', (Join-Path $RepoRoot 'docs/help'),
        '-OutputPath', (Join-Path $StageDir 'en-US/PgBackupTools.dll-Help.xml'))

    Write-Section "Build: smoke test - import the staged module in a fresh pwsh"
    $smoke = Join-Path ([IO.Path]::GetTempPath()) "pgbt-smoke-$PID.ps1"
    Set-Content -Path $smoke -Encoding utf8NoBOM -Value @'
param([string]$ManifestPath)
$ErrorActionPreference = 'Stop'
$m = Import-Module $ManifestPath -PassThru
$expected = @((Import-PowerShellDataFile $ManifestPath).CmdletsToExport)
$actual = @(Get-Command -Module PgBackupTools -CommandType Cmdlet | ForEach-Object Name)
$missing = @($expected | Where-Object { $actual -notcontains $_ })
$extra = @($actual | Where-Object { $expected -notcontains $_ })
Write-Host ("Imported {0} {1} from {2}" -f $m.Name, $m.Version, $m.ModuleBase)
Get-Command -Module PgBackupTools | Sort-Object Name | Format-Table CommandType, Name, Version -AutoSize | Out-Host
if ($missing) { Write-Host "Cmdlets in CmdletsToExport but not exported by the module: $($missing -join ', ')" -ForegroundColor Red; exit 1 }
if ($extra) { Write-Host "Cmdlets exported but not listed in CmdletsToExport: $($extra -join ', ')" -ForegroundColor Red; exit 1 }
foreach ($c in $actual) {
    $h = Get-Help $c
    if (-not $h.description) { Write-Host "Get-Help $c shows no description: is en-US/PgBackupTools.dll-Help.xml found?" -ForegroundColor Red; exit 1 }
}
Write-Host "Smoke test passed: $($actual.Count) cmdlets, help found for each."
'@
    try {
        Invoke-ChildPwsh -RepoRoot $RepoRoot -File $smoke -ArgumentList @('-ManifestPath', $StagedManifest)
    } finally {
        Remove-Item $smoke -ErrorAction Ignore
    }
    Write-Host "Module staged at $StageDir"
}

# The engine and its dependencies compiled ahead of time (ReadyToRun) for .NET 10 on this platform, beside the
# portable build: on pwsh 7.6 the module loads them instead (DependencyDirectory.cs), which saves the JIT about half
# a second of CPU per cmdlet. ReadyToRun code only runs on the runtime major and platform it was compiled for, so
# the portable build stays for every other pwsh. Without the crossgen package the module just stays portable.
# It is compiled for this machine's instruction sets: with crossgen's default (x86-64-v2 plus opportunistic
# extensions) the runtime rejected SharpCompress's precompiled zstd decoder on an AVX-512 machine and ran it as
# unoptimised tier-0 code, so a cold 365 MB decompression took 0.45-0.6 s of CPU instead of 0.13 s. On a CPU with
# other instruction sets the runtime refuses the affected precompiled code and compiles it itself (slower, same result).
$ReadyToRunCrossgenArguments = '--instruction-set:native'

function Publish-PrecompiledDependencies {
    param([Parameter(Mandatory)][string]$DependenciesDirectory)
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $target = Join-Path $DependenciesDirectory "net10.0-$rid"
    Write-Section "Build: publishing the engine ReadyToRun ($ReadyToRunCrossgenArguments) for net10.0 on $rid into Dependencies/net10.0-$rid/"
    Clear-StaleReadyToRunImages -Rid $rid
    $publishDir = Join-Path ([IO.Path]::GetTempPath()) ("pgbt-engine-r2r-" + [guid]::NewGuid().ToString('N'))
    try {
        Invoke-Native dotnet @('publish', $EngineProject, '-c', $Configuration, '-f', 'net10.0', '-r', $rid, '--self-contained', 'false',
            '-p:PublishReadyToRun=true', "-p:PublishReadyToRunCrossgen2ExtraArgs=$ReadyToRunCrossgenArguments", '-o', $publishDir, '--nologo', '-v', 'quiet')
    } catch {
        Write-Warning "ReadyToRun compilation failed ($($_.Exception.Message)); the module stays portable only (slower to start)."
        if (Test-Path $publishDir) { Remove-Item $publishDir -Recurse -Force }
        return
    }
    try {
        New-Item -ItemType Directory -Force -Path $target | Out-Null
        Get-ChildItem $publishDir -Filter '*.dll' -File | Where-Object {
            $n = $_.Name; -not ($ExcludedFromDependencies | Where-Object { $n -like $_ })
        } | Copy-Item -Destination $target
        Copy-Item (Join-Path $publishDir 'PgBackupTools.Engine.pdb') $target -ErrorAction Ignore
        $native = Join-Path $publishDir 'runtimes'
        if (Test-Path $native) { Copy-Item $native $target -Recurse }
        if (-not (Test-Path (Join-Path $target 'PgBackupTools.Engine.dll'))) { throw "PgBackupTools.Engine.dll missing from the ReadyToRun publish output $publishDir." }
        Write-Host ("Staged {0} ReadyToRun DLLs in {1}" -f @(Get-ChildItem $target -Filter '*.dll').Count, $target)
    } finally {
        Remove-Item $publishDir -Recurse -Force
    }
}

# The SDK reuses the ReadyToRun images under obj/ when only crossgen's arguments changed (they are not among the
# target's inputs), so the images are thrown away when they were made with other arguments or on another CPU.
function Clear-StaleReadyToRunImages {
    param([Parameter(Mandatory)][string]$Rid)
    $r2rDir = Join-Path $EngineProject "obj/$Configuration/net10.0/$Rid/R2R"
    $stamp = Join-Path $EngineProject "obj/$Configuration/net10.0/$Rid/pgbt-r2r.stamp"
    $cpu = if (Test-Path /proc/cpuinfo) { (Select-String -Path /proc/cpuinfo -Pattern '^flags\s*:' | Select-Object -First 1).Line } else { $env:PROCESSOR_IDENTIFIER }
    $expected = "$ReadyToRunCrossgenArguments|$cpu"
    if ((Test-Path $stamp) -and (Get-Content $stamp -Raw).TrimEnd() -eq $expected) { return }
    if (Test-Path $r2rDir) { Remove-Item $r2rDir -Recurse -Force }
    New-Item -ItemType Directory -Force -Path (Split-Path $stamp) | Out-Null
    Set-Content -Path $stamp -Value $expected -NoNewline
}

# pgbt-wal runs once per WAL segment as archive_command/restore_command: compiled ahead of time so the database
# server needs no .NET runtime and each call starts in milliseconds. Native compilation needs the platform's C
# toolchain; without one, a self-contained single-file build is staged instead (slower to start, same behaviour).
function Publish-WalTool {
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $binDir = Join-Path $StageDir "bin/$rid"
    Write-Section "Build: publishing pgbt-wal (native, $rid) into bin/$rid/"
    $common = @('publish', $WalToolProject, '-c', 'Release', '-r', $rid, '-o', $binDir, '--nologo', '-v', 'quiet', '-p:DebugType=none', '-p:StripSymbols=true')
    try {
        Invoke-Native dotnet $common
    } catch {
        Write-Warning "Native compilation of pgbt-wal failed ($($_.Exception.Message)); staging a self-contained single-file build instead."
        Invoke-Native dotnet ($common + @('-p:PublishAot=false', '--self-contained', '-p:PublishSingleFile=true'))
    }
    $exe = Join-Path $binDir $(if ($IsWindows) { 'pgbt-wal.exe' } else { 'pgbt-wal' })
    if (-not (Test-Path $exe)) { throw "pgbt-wal was not produced at $exe." }
    Get-ChildItem $binDir -File | Where-Object { $_.FullName -ne $exe } | Remove-Item
    Write-Host ("pgbt-wal: {0} ({1:N1} MB)" -f $exe, ((Get-Item $exe).Length / 1MB))
}

function Get-TrxCounts {
    param([string]$Path)
    [xml]$trx = Get-Content $Path -Raw
    $c = $trx.TestRun.ResultSummary.Counters
    $n = { param($name) if ($c.HasAttribute($name)) { [int]$c.GetAttribute($name) } else { 0 } }
    [pscustomobject]@{
        Passed  = & $n 'passed'
        Failed  = (& $n 'failed') + (& $n 'error') + (& $n 'timeout') + (& $n 'aborted')
        Skipped = (& $n 'notExecuted')
        Total   = & $n 'total'
    }
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    New-Item -ItemType Directory -Force -Path $ResultsDir | Out-Null
    $failures = [Collections.Generic.List[string]]::new()

    Write-Section "Test: xUnit (dotnet test tests/PgBackupTools.Tests)"
    $trxName = 'xunit.trx'
    Invoke-Native dotnet @('test', $TestProject, '-c', $Configuration, '--no-build', '--nologo',
        '--logger', 'console;verbosity=normal', '--logger', "trx;LogFileName=$trxName",
        '--results-directory', $ResultsDir) -AllowFailure
    $xunitExit = $LASTEXITCODE
    $trxPath = Join-Path $ResultsDir $trxName
    if (Test-Path $trxPath) {
        $xunit = Get-TrxCounts $trxPath
    } else {
        $xunit = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Total = 0 }
        $failures.Add("xUnit wrote no TRX file ($trxPath)")
    }
    Write-Host ("xUnit summary -> passed {0}, failed {1}, skipped {2}, total {3} (exit code {4})" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped, $xunit.Total, $xunitExit)
    if ($xunitExit -ne 0) { $failures.Add("dotnet test exited with $xunitExit") }
    if ($xunit.Failed -gt 0) { $failures.Add("$($xunit.Failed) xUnit test(s) failed") }
    if ($xunit.Total -eq 0) { $failures.Add('xUnit ran no tests') }

    Write-Section "Test: Pester (tests/Pester/*.Tests.ps1 in a fresh pwsh against the staged module)"
    $pesterJson = Join-Path $ResultsDir 'pester-summary.json'
    Invoke-ChildPwsh -RepoRoot $RepoRoot -File (Join-Path $RepoRoot 'tests/Pester/Invoke-PesterSuite.ps1') -ArgumentList @(
        '-ModulePath', $StagedManifest, '-ResultsDirectory', $ResultsDir) -AllowFailure
    $pesterExit = $LASTEXITCODE
    if (Test-Path $pesterJson) {
        $pester = Get-Content $pesterJson -Raw | ConvertFrom-Json
    } else {
        $pester = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Total = 0 }
        $failures.Add("Pester wrote no summary ($pesterJson)")
    }
    Write-Host ("Pester summary -> passed {0}, failed {1}, skipped {2}, total {3} (exit code {4})" -f $pester.Passed, $pester.Failed, $pester.Skipped, $pester.Total, $pesterExit)
    if ($pesterExit -ne 0) { $failures.Add("Pester suite exited with $pesterExit") }

    # The Windows-only process code (Start-PgWalStream's detached start) as a win-x64 program, under Wine off Windows.
    Write-Section "Test: Windows process code (tests/PgBackupTools.WindowsChecks, win-x64$(if (-not $IsWindows) { ' under Wine' }))"
    $windowsJson = Join-Path $ResultsDir 'windows-checks.json'
    Invoke-ChildPwsh -RepoRoot $RepoRoot -File (Join-Path $RepoRoot 'tests/tools/Invoke-WindowsChecks.ps1') -ArgumentList @('-SummaryPath', $windowsJson) -AllowFailure
    $windowsExit = $LASTEXITCODE
    $windows = if (Test-Path $windowsJson) { Get-Content $windowsJson -Raw | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 0; NotChecked = 0 } }
    Write-Host ("Windows checks summary -> passed {0}, failed {1}, not checked {2} (exit code {3})" -f $windows.Passed, $windows.Failed, $windows.NotChecked, $windowsExit)
    if ($windowsExit -ne 0) { $failures.Add("the Windows checks exited with $windowsExit$(if (-not (Test-Path $windowsJson)) { ' before checking anything (on Linux they need Wine: apt-get install wine64)' })") }

    return [pscustomobject]@{
        Passed   = [int]$xunit.Passed + [int]$pester.Passed + [int]$windows.Passed
        Failed   = [int]$xunit.Failed + [int]$pester.Failed + [int]$windows.Failed
        Skipped  = [int]$xunit.Skipped + [int]$pester.Skipped + [int]$windows.NotChecked
        Failures = $failures
    }
}

function Invoke-Demo {
    Invoke-Build
    & (Join-Path $RepoRoot 'build/Demo.ps1') -RepoRoot $RepoRoot -ModulePath $StagedManifest -TestPostgresModule $TestPostgresModule
}

function Invoke-Bench {
    Invoke-Build
    & (Join-Path $RepoRoot 'build/Bench.ps1') -RepoRoot $RepoRoot -ModulePath $StagedManifest -TestPostgresModule $TestPostgresModule -Scale $Scale -Runs $Runs -Configuration $Configuration
}

function Invoke-Clean {
    Write-Section "Clean: out/ and bin/, obj/ of every project"
    $targets = @($OutDir) + @(foreach ($p in $CmdletProject, $EngineProject, $TestProject) { Join-Path $p 'bin'; Join-Path $p 'obj' })
    foreach ($t in $targets) {
        if (Test-Path $t) { Write-Host "Removing $t"; Remove-Item $t -Recurse -Force }
    }
}

$started = [Diagnostics.Stopwatch]::StartNew()
$testResult = $null
$exitCode = 0
Push-Location $RepoRoot
try {
    Write-Host "PgBackupTools build: -Task $Task -Configuration $Configuration (PowerShell $($PSVersionTable.PSVersion), $(dotnet --version) SDK)"
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test'  { $testResult = Invoke-Test }
        'Demo'  { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Clean' { Invoke-Clean }
    }
} catch {
    Write-Host ''
    Write-Host "BUILD FAILED (-Task $Task): $($_.Exception.Message)" -ForegroundColor Red
    if ($_.InvocationInfo) { Write-Host $_.InvocationInfo.PositionMessage -ForegroundColor DarkGray }
    $exitCode = 1
} finally {
    Pop-Location
}

Write-Section "Done"
if ($testResult -and $testResult.Failures.Count -gt 0) {
    Write-Host "Test task FAILED:" -ForegroundColor Red
    $testResult.Failures | ForEach-Object { Write-Host "  - $_" -ForegroundColor Red }
    $exitCode = 1
}
Write-Host ("Task {0} {1} in {2}" -f $Task, $(if ($exitCode -eq 0) { 'succeeded' } else { 'FAILED' }), (Format-Duration $started.Elapsed))
if ($testResult) {
    $line = "Tests: $($testResult.Passed) passed, $($testResult.Failed) failed"
    if ($testResult.Skipped -gt 0) { $line += ", $($testResult.Skipped) skipped" }
    Write-Host $line
}
exit $exitCode
