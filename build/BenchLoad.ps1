#Requires -Version 7.4
<#
.SYNOPSIS
    What a backup costs the live database, for build.ps1 -Task Bench (run by build/Bench.ps1 on its server).

.DESCRIPTION
    pgbench (-c 2 -j 2, TPC-B-like, unthrottled) runs for -Seconds at a time against the bench database: alone, then
    while Invoke-PgBackup runs back to back in another process (logical and physical, each also with -MaxRateKB), each
    followed by another run alone. The cost of a kind of backup is how much lower pgbench's throughput was than the
    mean of the runs alone just before and after it. The requirement is under 10 %. On a machine where the server,
    pgbench and the backup share the same cores, this measures the worst case: the backup's CPU is taken from the
    server. Returns Steps, Values and Targets for Bench.ps1.
#>
param(
    [Parameter(Mandatory)][string]$RepoRoot,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)]$Server,
    [Parameter(Mandatory)][string]$Work,
    [int]$Seconds = 20,
    [int]$ThrottleKB = 2048,
    [int]$LogicalThrottleKB = 10240
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $RepoRoot 'build/BuildTools.psm1') -Force

$load = Join-Path $Work 'load'
New-Item -ItemType Directory -Path $load | Out-Null
$loop = Join-Path $load 'backup-loop.ps1'
Set-Content -Path $loop -Encoding utf8NoBOM -Value @'
param($ModulePath, $Repo, $KeyFile, $PgHost, $Port, $User, $Type, $MaxRateKB, $StopFile, $OutJson)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$cred = [pscredential]::new($User, (ConvertTo-SecureString $env:PGBT_BENCH_PASSWORD -AsPlainText -Force))
if (-not (Test-Path $Repo)) {
    $null = New-PgBackupKeyFile -Path $KeyFile
    $null = Initialize-PgBackupRepository -Repository $Repo -KeyFile $KeyFile
}
$common = @{ Repository = $Repo; KeyFile = $KeyFile; Host = $PgHost; Port = $Port; Credential = $cred }
$extra = if ($Type -eq 'Logical') { @{ Database = 'bench' } } else { @{ Type = 'Physical'; IncludeWal = $true; FastCheckpoint = $true } }
if ([int]$MaxRateKB -gt 0) { $extra.MaxRateKB = [int]$MaxRateKB }
$count = 0
$sw = [Diagnostics.Stopwatch]::StartNew()
while (-not (Test-Path $StopFile)) {
    $null = Invoke-PgBackup @common @extra
    $count++
}
[ordered]@{ Backups = $count; Seconds = [math]::Round($sw.Elapsed.TotalSeconds, 1) } | ConvertTo-Json | Set-Content $OutJson
'@

$password = [string]$Server.Password
$pgbench = Get-TestPostgresPsqlPath -Server $Server -Tool pgbench
function Measure-Tps {
    $psi = [Diagnostics.ProcessStartInfo]::new($pgbench)
    foreach ($a in @('-h', [string]$Server.Host, '-p', [string]$Server.Port, '-U', [string]$Server.User, '-c', '2', '-j', '2', '-T', "$Seconds", '-n', 'bench')) { $psi.ArgumentList.Add($a) }
    $psi.Environment['PGPASSWORD'] = $password
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($psi)
    $errors = $process.StandardError.ReadToEndAsync()
    $output = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    $m = [regex]::Match($output, 'tps = ([\d.]+) \(without initial connection time\)')
    if ($process.ExitCode -ne 0 -or -not $m.Success) { throw "pgbench failed ($($process.ExitCode)): $output $($errors.Result)" }
    [double]$m.Groups[1].Value
}

function Measure-WithBackups([string]$Type, [int]$MaxRateKB) {
    $name = "$Type$MaxRateKB".ToLowerInvariant()
    $stop = Join-Path $load "$name.stop"
    $json = Join-Path $load "$name.json"
    $arguments = @('pwsh', '-NoProfile', '-NonInteractive', '-File', $loop, '-ModulePath', $ModulePath, '-Repo', (Join-Path $load "$name-repo"), '-KeyFile', (Join-Path $load "$name.key"),
        '-PgHost', [string]$Server.Host, '-Port', [string]$Server.Port, '-User', [string]$Server.User, '-Type', $Type, '-MaxRateKB', "$MaxRateKB", '-StopFile', $stop, '-OutJson', $json)
    # dotnet pwsh: the repository's PowerShell tool, found from its manifest in the working directory.
    $child = Start-Process -FilePath dotnet -ArgumentList $arguments -WorkingDirectory $RepoRoot -PassThru -NoNewWindow
    try {
        # Let the first backup get going (module load, connection) before the load is measured.
        Start-Sleep -Seconds 3
        $tps = Measure-Tps
    } finally {
        Set-Content -Path $stop -Value ''
        $child.WaitForExit()
    }
    if ($child.ExitCode -ne 0 -or -not (Test-Path $json)) { throw "The $Type backup loop failed (exit $($child.ExitCode))." }
    $done = Get-Content $json -Raw | ConvertFrom-Json
    [pscustomobject]@{ Tps = $tps; Backups = $done.Backups }
}

$env:PGBT_BENCH_PASSWORD = $password
try {
    Write-Section "Bench L/1: pgbench alone, then during back-to-back backups ($Seconds s each, alone again after each)"
    $alone = @(Measure-Tps)
    # The physical cap is on the server-compressed stream (about a sixth of the data), the logical one on the raw dump.
    $cases = [ordered]@{
        'logical' = @('Logical', 0); "logical -MaxRateKB $LogicalThrottleKB" = @('Logical', $LogicalThrottleKB)
        'physical' = @('Physical', 0); "physical -MaxRateKB $ThrottleKB" = @('Physical', $ThrottleKB)
    }
    $results = [ordered]@{}
    foreach ($case in $cases.Keys) {
        $with = Measure-WithBackups $cases[$case][0] $cases[$case][1]
        $alone += Measure-Tps
        $baseline = ($alone[-2] + $alone[-1]) / 2
        $cost = [math]::Round(100 * (1 - $with.Tps / $baseline), 1)
        Write-Host ("{0}: {1:N0} tps during {2} backup(s) against {3:N0} tps alone: {4} % less" -f $case, $with.Tps, $with.Backups, $baseline, $cost)
        $results[$case] = [pscustomobject]@{ Tps = $with.Tps; Baseline = $baseline; Cost = $cost; Backups = $with.Backups }
    }
} finally {
    Remove-Item Env:PGBT_BENCH_PASSWORD -ErrorAction Ignore
}

# Tps in the SizeMB column, so the rows fit the results table.
$steps = @([pscustomobject]@{ Step = "pgbench alone (tps, mean of $($alone.Count))"; Seconds = $null; SizeMB = [math]::Round(($alone | Measure-Object -Average).Average) })
$values = [ordered]@{}
$targets = [ordered]@{}
foreach ($case in $results.Keys) {
    $steps += [pscustomobject]@{ Step = "pgbench, $case backups (tps; $($results[$case].Backups) runs)"; Seconds = $null; SizeMB = [math]::Round($results[$case].Tps) }
    $values["Live load cost, $case backup (%)"] = $results[$case].Cost
    $targets["Live load cost, $case backup (%)"] = 10
}
[pscustomobject]@{ Steps = $steps; Values = $values; Targets = $targets; Samples = [ordered]@{ Alone = $alone; With = $results } }
