#Requires -Version 7.4
<#
.SYNOPSIS
    The physical half of build.ps1 -Task Bench, run by build/Bench.ps1 on its server and bench database.

.DESCRIPTION
    Times, in the same run and on the same cluster:
      pg_basebackup -Ft -X fetch --compress=server-zstd, Invoke-PgBackup -Type Physical -IncludeWal (server zstd through BASE_BACKUP, AES-256-GCM; and, for reference, with -ClientCompression),
      pgbackrest full backup (compress-type=zst, aes-256-cbc), and archive_command throughput: pgbt-wal archive-push
      versus pgbackrest archive-push over the same 16 MiB segments, full of the WAL of bulk updates, -Runs rounds. pgBackRest is the Debian package; when it is
      not installed its rows say so and their targets count as not measured.
    The three base backups are timed -Runs times, interleaved, and compared by their medians.
    Returns an object with Steps, Samples and Ratios for Bench.ps1 to print and store.
#>
param(
    [Parameter(Mandatory)][string]$RepoRoot,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)]$Server,
    [Parameter(Mandatory)][string]$Work,
    [int]$Segments = 16,
    [ValidateRange(1, 15)][int]$Runs = 1
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $RepoRoot 'build/BuildTools.psm1') -Force

$asRoot = (& id -u) -eq '0'
function Invoke-AsServerUser([string]$File, [string[]]$Arguments, [hashtable]$Environment = @{}) {
    # pgBackRest and the archive command run as the cluster's owner, as they would on a database server.
    $envArgs = @($Environment.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
    $output = if ($asRoot) { & runuser -u postgres -- env @envArgs $File @Arguments 2>&1 } else { & env @envArgs $File @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed ($LASTEXITCODE): $($output -join "`n")" }
}
function Get-DirBytes($p) { (Get-ChildItem $p -Recurse -File | Measure-Object Length -Sum).Sum + 0 }

$physical = Join-Path $Work 'physical'
New-Item -ItemType Directory -Path $physical | Out-Null
if ($asRoot) { & chown postgres: $physical }
$password = [string]$Server.Password

$repo = Join-Path $physical 'repo'
$keyFile = Join-Path $physical 'bench.key'
$childJson = Join-Path $physical 'invoke.json'
$child = Join-Path $physical 'invoke.ps1'
Set-Content -Path $child -Encoding utf8NoBOM -Value @'
param($ModulePath, $Repo, $KeyFile, $PgHost, $Port, $User, $OutJson, [switch] $ClientCompression)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$cred = [pscredential]::new($User, (ConvertTo-SecureString $env:PGBT_BENCH_PASSWORD -AsPlainText -Force))
if (-not (Test-Path $Repo)) {
    $null = New-PgBackupKeyFile -Path $KeyFile
    $null = Initialize-PgBackupRepository -Repository $Repo -KeyFile $KeyFile
}
$sw = [Diagnostics.Stopwatch]::StartNew()
$b = Invoke-PgBackup -Repository $Repo -Type Physical -IncludeWal -FastCheckpoint -Host $PgHost -Port $Port -Credential $cred -KeyFile $KeyFile -ClientCompression:$ClientCompression
$seconds = $sw.Elapsed.TotalSeconds
$b | Format-List Id, SizeBytes, RawSizeBytes, StartLsn, StopLsn, Duration | Out-Host
[ordered]@{ Seconds = [math]::Round($seconds, 2); Bytes = $b.SizeBytes } | ConvertTo-Json | Set-Content $OutJson
'@
$pgbackrest = Get-Command pgbackrest -CommandType Application -ErrorAction Ignore | Select-Object -First 1
$pgbrSeconds = $null; $pgbrBytes = $null; $pgbrPushRate = $null
$pgbrConfig = Join-Path $physical 'pgbackrest.conf'
if ($pgbackrest) {
    Write-Section "Bench P1/5: pgbackrest stanza (compress-type=zst, repo1-cipher-type=aes-256-cbc)"
    $cipher = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
    Set-Content -Path $pgbrConfig -Encoding utf8NoBOM -Value @"
[global]
repo1-path=$physical/pgbackrest-repo
repo1-retention-full=2
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$cipher
compress-type=zst
start-fast=y
archive-check=n
log-level-console=warn
log-level-file=off
lock-path=$physical/pgbackrest-lock
spool-path=$physical/pgbackrest-spool

[bench]
pg1-path=$($Server.DataDir)
pg1-port=$($Server.Port)
pg1-user=$($Server.User)
$(if ($Server.SocketDir) { "pg1-socket-path=$($Server.SocketDir)" })
"@
    if ($asRoot) { & chown postgres: $pgbrConfig }
    Invoke-AsServerUser $pgbackrest.Source @("--config=$pgbrConfig", '--stanza=bench', 'stanza-create') @{ PGPASSWORD = $password }
} else {
    Write-Warning 'pgbackrest is not installed (Debian: apt-get install -y pgbackrest): its rows are not measured.'
}

$pgbbRuns = @(); $invokeRuns = @(); $pgbrRuns = @(); $clientRuns = @()
$env:PGBT_BENCH_PASSWORD = $password
try {
    for ($run = 1; $run -le $Runs; $run++) {
        Write-Section "Bench P2-3/5, run $run of ${Runs}: Invoke-PgBackup -Type Physical -IncludeWal (fresh pwsh; server zstd level 1 through BASE_BACKUP, AES-256-GCM, CRC32C checked against backup_manifest), pg_basebackup -Ft -X fetch --compress=server-zstd$(if ($pgbackrest) { ', pgbackrest full' })"
        Invoke-Psql -Server $Server -Sql 'CHECKPOINT'
        Invoke-ChildPwsh -RepoRoot $RepoRoot -File $child -ArgumentList @('-ModulePath', $ModulePath, '-Repo', $repo, '-KeyFile', $keyFile,
            '-PgHost', [string]$Server.Host, '-Port', [string]$Server.Port, '-User', [string]$Server.User, '-OutJson', $childJson)
        $invoke = Get-Content $childJson -Raw | ConvertFrom-Json
        $invokeRuns += $invoke.Seconds

        # For reference: the same backup compressed on this machine (pg_basebackup's plain tar), as -ClientCompression does.
        Invoke-Psql -Server $Server -Sql 'CHECKPOINT'
        Invoke-ChildPwsh -RepoRoot $RepoRoot -File $child -ArgumentList @('-ModulePath', $ModulePath, '-Repo', $repo, '-KeyFile', $keyFile,
            '-PgHost', [string]$Server.Host, '-Port', [string]$Server.Port, '-User', [string]$Server.User, '-OutJson', $childJson, '-ClientCompression')
        $client = Get-Content $childJson -Raw | ConvertFrom-Json
        $clientRuns += $client.Seconds

        $pgbbDir = Join-Path $physical "pg_basebackup-$run"
        Invoke-Psql -Server $Server -Sql 'CHECKPOINT'
        $pgbbRuns += Measure-Seconds { Invoke-PgTool -Server $Server -Tool pg_basebackup -ArgumentList @('-D', $pgbbDir, '-Ft', '-X', 'fetch', '--compress=server-zstd', '--checkpoint=fast', '--no-manifest') }
        $pgbbBytes = Get-DirBytes $pgbbDir
        Remove-Item $pgbbDir -Recurse -Force

        if ($pgbackrest) {
            Invoke-Psql -Server $Server -Sql 'CHECKPOINT'
            $pgbrRuns += Measure-Seconds { Invoke-AsServerUser $pgbackrest.Source @("--config=$pgbrConfig", '--stanza=bench', '--type=full', 'backup') @{ PGPASSWORD = $password } }
        }
    }
} finally { Remove-Item Env:PGBT_BENCH_PASSWORD -ErrorAction Ignore }
$pgbbSeconds = Get-Median $pgbbRuns
$invoke = [pscustomobject]@{ Seconds = Get-Median $invokeRuns; Bytes = $invoke.Bytes }
$client = [pscustomobject]@{ Seconds = Get-Median $clientRuns; Bytes = $client.Bytes }
if ($pgbackrest) {
    $pgbrSeconds = Get-Median $pgbrRuns
    $newestFull = Get-ChildItem (Join-Path $physical 'pgbackrest-repo/backup/bench') -Directory | Where-Object Name -match '^\d{8}-\d{6}F$' | Sort-Object Name | Select-Object -Last 1
    $pgbrBytes = Get-DirBytes $newestFull.FullName
}

Write-Section "Bench P4/5: archive_command throughput over $Segments full segments of update WAL (pgbt-wal vs pgbackrest archive-push)"
# The segments must be full of the WAL a loaded server writes. The newest segments after the backups above are mostly
# empty: every backup ends with a segment switch, and zeros compress and hash faster than anything else.
$walDir = Join-Path $Server.DataDir 'pg_wal'
$first = "$(Invoke-Psql -Server $Server -Sql 'SELECT pg_walfile_name(pg_current_wal_lsn())' -Capture -Quiet)".Trim()
$aid = 0
do {
    Invoke-Psql -Server $Server -Database bench -Quiet -Sql "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid > $aid AND aid <= $($aid + 200000)"
    $aid = ($aid + 200000) % 3000000
    $current = "$(Invoke-Psql -Server $Server -Sql 'SELECT pg_walfile_name(pg_current_wal_lsn())' -Capture -Quiet)".Trim()
    $written = @(Get-ChildItem -LiteralPath $walDir -File | Where-Object { $_.Name -match '^[0-9A-F]{24}$' -and $_.Name -gt $first -and $_.Name -lt $current })
} while ($written.Count -lt $Segments)
$sources = @($written | Sort-Object Name | Select-Object -Last $Segments)
$segmentDir = Join-Path $physical 'segments'
New-Item -ItemType Directory -Path $segmentDir | Out-Null
$sources | Copy-Item -Destination $segmentDir
if ($asRoot) { & chown -R postgres: $segmentDir $repo $keyFile }
$tool = Join-Path (Split-Path $ModulePath) "bin/$([Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)/pgbt-wal"
# Each round pushes all segments with each tool, interleaved; before a round, both archives forget the segments, so
# every push is a first push (a re-push of an archived segment is a different path in both tools).
$pushedNames = @($sources | ForEach-Object Name)
function Remove-PushedSegments {
    $archives = @(Join-Path $repo 'wal') + @(if ($pgbackrest) { Join-Path $physical 'pgbackrest-repo/archive' })
    Get-ChildItem -LiteralPath $archives -Recurse -File -ErrorAction Ignore |
        Where-Object { $_.Name.Length -ge 24 -and $pushedNames -contains $_.Name.Substring(0, 24) } |
        Remove-Item -Force
}
$ourPushRuns = @(); $pgbrPushRuns = @()
for ($round = 1; $round -le $Runs; $round++) {
    Remove-PushedSegments
    $ourPushRuns += Measure-Seconds {
        foreach ($s in $sources) {
            Invoke-AsServerUser $tool @('archive-push', '--repository', $repo, '--key-file', $keyFile, (Join-Path $segmentDir $s.Name), $s.Name)
        }
    }
    if ($pgbackrest) {
        $pgbrPushRuns += Measure-Seconds {
            foreach ($s in $sources) {
                Invoke-AsServerUser $pgbackrest.Source @("--config=$pgbrConfig", '--stanza=bench', 'archive-push', (Join-Path $segmentDir $s.Name)) @{ PGPASSWORD = $password }
            }
        }
    }
}
$ourPushSeconds = Get-Median $ourPushRuns
$ourPushRate = if ($ourPushSeconds -gt 0) { [math]::Round($sources.Count / $ourPushSeconds, 1) } else { $null }
if ($pgbackrest) {
    $pgbrPushSeconds = Get-Median $pgbrPushRuns
    $pgbrPushRate = if ($pgbrPushSeconds -gt 0) { [math]::Round($sources.Count / $pgbrPushSeconds, 1) } else { $null }
}

Write-Section "Bench P5/5: measured RPO under a steady pgbench load, streaming with Start-PgWalStream"
# Every second: the server's WAL position, and the end of the newest segment in the repository. The RPO at a
# moment is how long ago the server had first written WAL beyond what the repository holds now.
$streamChild = Join-Path $physical 'stream.ps1'
Set-Content -Path $streamChild -Encoding utf8NoBOM -Value @'
param($ModulePath, $Repo, $KeyFile, $PgHost, $Port, $User, $Mode)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
if ($Mode -eq 'start') {
    $cred = [pscredential]::new($User, (ConvertTo-SecureString $env:PGBT_BENCH_PASSWORD -AsPlainText -Force))
    Start-PgWalStream -Repository $Repo -KeyFile $KeyFile -Host $PgHost -Port $Port -Credential $cred -Slot bench_rpo | Out-Host
} else {
    Stop-PgWalStream -Repository $Repo -Slot bench_rpo -Confirm:$false | Out-Host
}
'@
$streamArgs = @('-ModulePath', $ModulePath, '-Repo', $repo, '-KeyFile', $keyFile, '-PgHost', [string]$Server.Host, '-Port', [string]$Server.Port, '-User', [string]$Server.User)
$systemId = (Invoke-Psql -Server $Server -Sql 'SELECT system_identifier FROM pg_control_system()' -Capture -Quiet | Out-String).Trim()
$archiveDir = Join-Path $repo "wal/$systemId"
$segmentSize = 16MB
function Get-LsnValue([string]$text) { $p = $text.Trim().Split('/'); ([Convert]::ToUInt64($p[0], 16) -shl 32) + [Convert]::ToUInt64($p[1], 16) }
function Get-NewestStoredTime {
    # Each push holds all the WAL pg_receivewal had when it ran: what was written after the newest push is at risk.
    $newest = Get-ChildItem -LiteralPath $archiveDir -Recurse -File -ErrorAction Ignore | Where-Object Name -match '^[0-9A-F]{24}\.' |
        Sort-Object LastWriteTimeUtc | Select-Object -Last 1
    if ($newest) { $newest.LastWriteTimeUtc } else { $null }
}
function Get-ArchivedEnd {
    $newest = Get-ChildItem -LiteralPath $archiveDir -Recurse -File -ErrorAction Ignore | Where-Object Name -match '^[0-9A-F]{24}\.[0-9a-f]{16}' |
        ForEach-Object { $_.Name.Substring(8, 16) } | Sort-Object | Select-Object -Last 1
    if (-not $newest) { return [uint64]0 }
    ([Convert]::ToUInt64($newest.Substring(0, 8), 16) * 256 + [Convert]::ToUInt64($newest.Substring(8, 8), 16) + 1) * $segmentSize
}
$rpoSeconds = $null
$segmentRpoSeconds = $null
$loadSeconds = 40
$env:PGBT_BENCH_PASSWORD = $password
try {
    Invoke-ChildPwsh -RepoRoot $RepoRoot -File $streamChild -ArgumentList ($streamArgs + @('-Mode', 'start'))
    $pgbench = Get-TestPostgresPsqlPath -Server $Server -Tool pgbench
    $psi = [Diagnostics.ProcessStartInfo]::new($pgbench)
    foreach ($a in @('-h', [string]$Server.Host, '-p', [string]$Server.Port, '-U', [string]$Server.User, '-c', '2', '-T', "$loadSeconds", '-R', '400', '-n', 'bench')) { $psi.ArgumentList.Add($a) }
    $psi.Environment['PGPASSWORD'] = $password
    $psi.RedirectStandardOutput = $true
    $load = [Diagnostics.Process]::Start($psi)
    $samples = [Collections.Generic.List[object]]::new()
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while (-not $load.HasExited) {
        $lsn = Get-LsnValue (Invoke-Psql -Server $Server -Sql 'SELECT pg_current_wal_lsn()' -Capture -Quiet | Out-String)
        $stored = Get-NewestStoredTime
        $samples.Add([pscustomobject]@{ T = $clock.Elapsed.TotalSeconds; Lsn = $lsn; Archived = Get-ArchivedEnd; Exposure = $(if ($stored) { ([DateTime]::UtcNow - $stored).TotalSeconds } else { $null }) })
        Start-Sleep -Milliseconds 1000
    }
    $load.StandardOutput.ReadToEnd() | Select-String 'tps' | Out-Host
    $exposures = foreach ($s in $samples) {
        $first = $samples | Where-Object { $_.Lsn -gt $s.Archived } | Select-Object -First 1
        if ($first -and $s.Archived -gt 0) { $s.T - $first.T }
    }
    $walRate = if ($samples.Count -gt 1) { ($samples[-1].Lsn - $samples[0].Lsn) / 1MB / ($samples[-1].T - $samples[0].T) } else { 0 }
    $segmentRpoSeconds = if ($exposures) { [math]::Round(($exposures | Measure-Object -Maximum).Maximum, 1) } else { $null }
    $withPartial = @($samples | Select-Object -Skip 3 | Where-Object { $null -ne $_.Exposure } | ForEach-Object Exposure)
    $rpoSeconds = if ($withPartial) { [math]::Round(($withPartial | Measure-Object -Maximum).Maximum, 1) } else { $null }
    Write-Host ("Steady load for {0}s: {1:N1} MB/s of WAL; worst RPO {2}s with the partial copies shipped every 5 s, {3}s counting complete segments only ({4} samples)" -f $loadSeconds, $walRate, $rpoSeconds, $segmentRpoSeconds, $samples.Count)
} finally {
    try { Invoke-ChildPwsh -RepoRoot $RepoRoot -File $streamChild -ArgumentList ($streamArgs + @('-Mode', 'stop')) } catch { Write-Warning "Stop-PgWalStream failed: $_" }
    Remove-Item Env:PGBT_BENCH_PASSWORD -ErrorAction Ignore
}

$ratio = { param($a, $b) if ($null -ne $a -and $null -ne $b -and $b -gt 0) { [math]::Round($a / $b, 3) } else { $null } }
[pscustomobject]@{
    Samples = [ordered]@{ PgBaseBackupServerZstd = $pgbbRuns; InvokePhysical = $invokeRuns; InvokePhysicalClientCompression = $clientRuns; PgBackRestFull = $pgbrRuns; PgbtWalPush = $ourPushRuns; PgBackRestPush = $pgbrPushRuns }
    Steps = @(
        [pscustomobject]@{ Step = 'pg_basebackup -Ft server-zstd'; Seconds = $pgbbSeconds; SizeMB = [math]::Round($pgbbBytes / 1MB, 1) }
        [pscustomobject]@{ Step = 'Invoke-PgBackup -Type Physical'; Seconds = $invoke.Seconds; SizeMB = [math]::Round($invoke.Bytes / 1MB, 1) }
        [pscustomobject]@{ Step = '  the same with -ClientCompression'; Seconds = $client.Seconds; SizeMB = [math]::Round($client.Bytes / 1MB, 1) }
        [pscustomobject]@{ Step = 'pgbackrest full (zst, aes)'; Seconds = $pgbrSeconds; SizeMB = if ($pgbrBytes) { [math]::Round($pgbrBytes / 1MB, 1) } else { $null } }
        [pscustomobject]@{ Step = "pgbt-wal archive-push x$($sources.Count) (segments/s)"; Seconds = $ourPushSeconds; SizeMB = $ourPushRate }
        [pscustomobject]@{ Step = "pgbackrest archive-push x$($sources.Count) (segments/s)"; Seconds = $(if ($pgbackrest) { $pgbrPushSeconds } else { $null }); SizeMB = $pgbrPushRate }
        [pscustomobject]@{ Step = 'worst RPO, streaming under pgbench -R 400'; Seconds = $rpoSeconds; SizeMB = $null }
        [pscustomobject]@{ Step = '  counting complete segments only'; Seconds = $segmentRpoSeconds; SizeMB = $null }
    )
    Values = [ordered]@{
        'Physical / pg_basebackup server-zstd time' = & $ratio $invoke.Seconds $pgbbSeconds
        'Physical / pgbackrest full time'          = & $ratio $invoke.Seconds $pgbrSeconds
        'Physical -ClientCompression / server-zstd (ref.)' = & $ratio $client.Seconds $pgbbSeconds
        'pgbt-wal / pgbackrest archive-push time'  = & $ratio $ourPushSeconds $(if ($pgbackrest) { $pgbrPushSeconds } else { $null })
        'Streaming RPO under load (s)'             = $rpoSeconds
    }
    Targets = [ordered]@{
        'Physical / pg_basebackup server-zstd time' = 1.2
        'Physical / pgbackrest full time'          = 0.999
        'pgbt-wal / pgbackrest archive-push time'  = 1.0
        'Streaming RPO under load (s)'             = 60
    }
}
