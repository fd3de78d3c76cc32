<#
.SYNOPSIS
    Runs the checks of the Windows-only process code (tests/PgBackupTools.WindowsChecks): on Windows directly, elsewhere
    under Wine (wine64) when it is installed.
.DESCRIPTION
    The detached start of Start-PgWalStream (CreateProcessW, job objects, inherited log handle) and the process identity
    checks only run on Windows, so the xUnit and Pester suites on Linux cannot reach them. This publishes the checks as a
    self-contained win-x64 program and runs it. Under Wine 8 two checks are listed as not checked: the job-limit check
    (Wine reports zeroed job limits) and the archive_command checks (a win-x64 pgbt-wal hangs under Wine).
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
# pgbt-wal as the module ships it for Windows, for the archive_command checks (not compiled ahead of time: that needs
# Windows' linker). Under Wine a win-x64 pgbt-wal hangs, so it is only built on Windows.
$walTool = Join-Path ([IO.Path]::GetTempPath()) "pgbt-wal-win-x64-$PID"
$toolArguments = @()
if ($IsWindows) {
    & dotnet publish (Join-Path $PSScriptRoot '../../src/PgBackupTools.WalTool/PgBackupTools.WalTool.csproj') -c Release -r win-x64 --self-contained -p:PublishAot=false -o $walTool --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish of pgbt-wal for win-x64 failed ($LASTEXITCODE)." }
    $toolArguments = @('--pgbt-wal', (Join-Path $walTool 'pgbt-wal.exe'))
}
try {
    if ($IsWindows) {
        $output = & $exe @toolArguments 2>&1 | ForEach-Object { "$_" }
    } else {
        if (-not (Test-Path $Wine)) { throw "Not on Windows and no Wine at $Wine (Debian: apt-get install wine64)." }
        $env:WINEDEBUG = '-all'
        if (-not $env:WINEPREFIX) { $env:WINEPREFIX = Join-Path ([IO.Path]::GetTempPath()) 'pgbt-wineprefix' }
        # A hang under Wine must fail the run, not stop it: timeout ends it with 124, and no summary is a failure.
        $output = & timeout 300 $Wine $exe @toolArguments 2>&1 | ForEach-Object { "$_" }
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
    Remove-Item $out, $walTool -Recurse -Force -ErrorAction SilentlyContinue
}
