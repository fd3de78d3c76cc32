#Requires -Version 7.4
<#
.SYNOPSIS
    build.ps1 -Task Bench: pg_dump/pg_restore versus Invoke-PgBackup/Restore-PgBackup on one server.

.DESCRIPTION
    Builds a pgbench database at -Scale plus a jsonb/text table, then times in the same run:
      pg_dump -Fc -f file, pg_dump -Fc -Z0 -f file (the raw dump, as '> file' in a shell), Invoke-PgBackup (defaults: zstd + AES-256-GCM),
      CREATE DATABASE + pg_restore -j2 of the -Fc file (Restore-PgBackup creates its database too), Restore-PgBackup -Jobs 2.
    Then the physical half (build/BenchPhysical.ps1) and what back-to-back backups cost pgbench's throughput on the same
    server (build/BenchLoad.ps1).
    Each compared pair is timed -Runs times, interleaved (ours, theirs, ours, ...), and the median is compared: on a
    small shared machine one run varies by up to 2x. Prints seconds, the ratios against the targets, peak RSS of the
    pwsh running Invoke-PgBackup (the largest of its runs), and writes every sample to bench/results/<timestamp>.json.
#>
param(
    [Parameter(Mandatory)][string]$RepoRoot,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$TestPostgresModule,
    [int]$Scale = 30,
    [ValidateRange(1, 15)][int]$Runs = 3,
    [string]$Configuration = 'Release'
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $RepoRoot 'build/BuildTools.psm1') -Force

$targets = [ordered]@{
    'Invoke / pg_dump -Z0 time'       = 1.15
    'Invoke / pg_dump -Fc time'       = 0.45
    'Invoke / pg_dump -Fc size'       = 0.90
    'Restore / createdb + pg_restore -j2 time'   = 1.10
    'Invoke peak RSS (MB)'            = 200
    'Test Checksum / sha256sum time'  = 1.50
    'Test Restore (restore part) / pg_restore -j2 time' = 1.10
    'Retention: decide 10,000 backups (ms)' = 2000
    'Retention: list 10,000 manifests (ms)' = 1000
}

$timeExe = '/usr/bin/time'
$haveTime = Test-Path $timeExe
if (-not $haveTime) {
    Write-Warning "/usr/bin/time not found (Debian: apt-get install -y time); peak RSS is taken from the child's own VmHWM instead."
}

$work = Join-Path ([IO.Path]::GetTempPath()) ("pgbt-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$server = $null
try {
    Write-Section "Bench 1/7: starting PostgreSQL and building pgbench at scale $Scale"
    Import-TestPostgres -Path $TestPostgresModule
    $server = Start-TestPostgres
    # Keep the WAL pgbench writes, so the physical phase has real segments to push through archive_command.
    Invoke-Psql -Server $server -Sql "ALTER SYSTEM SET wal_keep_size = '1GB'"
    Invoke-Psql -Server $server -Sql 'SELECT pg_reload_conf()'
    Invoke-Psql -Server $server -Sql 'CREATE DATABASE bench'
    $initSeconds = Measure-Seconds { Invoke-PgTool -Server $server -Tool pgbench -ArgumentList @('-i', '-q', '-s', [string]$Scale, 'bench') }
    $docRows = [math]::Max(10000, 5000 * $Scale)
    Invoke-Psql -Server $server -Database bench -Quiet -Sql @"
CREATE TABLE docs (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL, meta jsonb NOT NULL);
INSERT INTO docs
SELECT i, 'Document ' || i || ' – Übersicht',
       repeat(md5(i::text) || ' lorem ipsum dolor sit amet ', 1 + i % 8),
       jsonb_build_object('author', 'user' || (i % 500), 'tags', jsonb_build_array('a' || (i % 17), 'b' || (i % 5)), 'score', (i * 7919) % 1000, 'draft', i % 3 = 0)
FROM generate_series(1, $docRows) AS i;
ANALYZE;
"@
    $dbSize = [long](Invoke-Psql -Server $server -Database bench -Sql "SELECT pg_database_size('bench')" -Capture -Quiet)
    Write-Host ("bench database: {0:N0} MB (pgbench -i took {1}s; docs rows: {2:N0})" -f ($dbSize / 1MB), $initSeconds, $docRows)

    $repo = Join-Path $work 'repo'
    $keyFile = Join-Path $work 'bench.key'
    $childJson = Join-Path $work 'invoke.json'
    $timeOut = Join-Path $work 'invoke.time'
    $child = Join-Path $work 'invoke.ps1'
    Set-Content -Path $child -Encoding utf8NoBOM -Value @'
param($ModulePath, $Repo, $KeyFile, $PgHost, $Port, $User, $OutJson, $Mode, $Jobs)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$cred = [pscredential]::new($User, (ConvertTo-SecureString $env:PGBT_BENCH_PASSWORD -AsPlainText -Force))
function Get-DirBytes($p) { (Get-ChildItem $p -Recurse -File | Measure-Object Length -Sum).Sum + 0 }
if ($Mode -eq 'backup') {
    if (-not (Test-Path $Repo)) {
        $null = New-PgBackupKeyFile -Path $KeyFile
        $null = Initialize-PgBackupRepository -Repository $Repo -KeyFile $KeyFile
    }
    $before = Get-DirBytes $Repo
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $b = Invoke-PgBackup -Repository $Repo -Database bench -Host $PgHost -Port $Port -Credential $cred -KeyFile $KeyFile
    $seconds = $sw.Elapsed.TotalSeconds
    $bytes = (Get-DirBytes $Repo) - $before
    $b | Out-Host
} elseif ($Mode -eq 'verify') {
    # Checksum verification is I/O plus AES-GCM plus SHA-256: measure it on an uncompressed backup, large enough
    # that the cmdlet's fixed cost (module, key, manifest) does not dominate.
    $plain = Invoke-PgBackup -Repository $Repo -Database bench -Host $PgHost -Port $Port -Credential $cred -KeyFile $KeyFile -Compression None -Tag checksum-bench
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $v = $plain | Test-PgBackup -KeyFile $KeyFile -Level Checksum
    $seconds = $sw.Elapsed.TotalSeconds
    $bytes = $plain.SizeBytes
    $v | Out-Host
    Set-Content -Path ($OutJson + '.path') -Value $plain.Path
} elseif ($Mode -eq 'trial') {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $v = Test-PgBackup -Repository $Repo -Database bench -Latest -KeyFile $KeyFile -Level Restore -Jobs ([int]$Jobs) -ScratchHost $PgHost -ScratchPort $Port -ScratchCredential $cred -AllowSourceServer
    $seconds = $sw.Elapsed.TotalSeconds
    $bytes = [long]($v.RestoreDuration.TotalMilliseconds)
    $v | Out-Host
} else {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $r = Restore-PgBackup -Repository $Repo -Database bench -Latest -TargetDatabase bench_pgbt -Jobs ([int]$Jobs) -Host $PgHost -Port $Port -Credential $cred -KeyFile $KeyFile -Confirm:$false
    $seconds = $sw.Elapsed.TotalSeconds
    $bytes = 0
    $r | Out-Host
}
$self = [Diagnostics.Process]::GetCurrentProcess()
[ordered]@{ Seconds = [math]::Round($seconds, 2); Bytes = $bytes; PeakWorkingSetBytes = $self.PeakWorkingSet64 } | ConvertTo-Json | Set-Content $OutJson
'@
    $fcFile = Join-Path $work 'bench.fc.dump'
    $z0File = Join-Path $work 'bench.z0.dump'
    $env:PGBT_BENCH_PASSWORD = [string]$server.Password
    try {
        $common = @('-ModulePath', $ModulePath, '-Repo', $repo, '-KeyFile', $keyFile, '-PgHost', [string]$server.Host, '-Port', [string]$server.Port, '-User', [string]$server.User)
        $prefix = if ($haveTime) { @($timeExe, '-v', '-o', $timeOut) } else { @() }
        $fcRuns = @(); $z0Runs = @(); $invokeRuns = @(); $rssRuns = @()
        for ($run = 1; $run -le $Runs; $run++) {
            Write-Section "Bench 2-4/7, run $run of ${Runs}: Invoke-PgBackup (defaults, fresh pwsh), pg_dump -Fc -f file, pg_dump -Fc -Z0 -f file"
            Invoke-ChildPwsh -RepoRoot $RepoRoot -File $child -Prefix $prefix -ArgumentList ($common + @('-OutJson', $childJson, '-Mode', 'backup'))
            $invoke = Get-Content $childJson -Raw | ConvertFrom-Json
            $invokeRuns += $invoke.Seconds
            $rss = [math]::Round($invoke.PeakWorkingSetBytes / 1MB, 1)
            $rssSource = 'child VmHWM'
            if ($haveTime) {
                $m = Select-String -Path $timeOut -Pattern 'Maximum resident set size \(kbytes\):\s*(\d+)' | Select-Object -First 1
                if ($m) { $rss = [math]::Round([long]$m.Matches[0].Groups[1].Value / 1024, 1); $rssSource = '/usr/bin/time -v (largest process of the tree)' }
            }
            $rssRuns += $rss
            $fcRuns += Measure-Seconds { Invoke-PgTool -Server $server -Tool pg_dump -ArgumentList @('-Fc', '-f', $fcFile, 'bench') }
            # pg_dump writes the file itself, as under a shell's '> file': a PowerShell redirection would pass
            # every byte through this pwsh and make the baseline about 0.5 s slower.
            $z0Runs += Measure-Seconds { Invoke-PgTool -Server $server -Tool pg_dump -ArgumentList @('-Fc', '-Z0', '-f', $z0File, 'bench') }
        }
        $fcSeconds = Get-Median $fcRuns; $z0Seconds = Get-Median $z0Runs
        $invoke = [pscustomobject]@{ Seconds = Get-Median $invokeRuns; Bytes = $invoke.Bytes }
        $peakRssMb = ($rssRuns | Measure-Object -Maximum).Maximum
        $fcSize = (Get-Item $fcFile).Length
        $z0Size = (Get-Item $z0File).Length

        $pgRestoreRuns = @(); $pgRestoreOnlyRuns = @(); $createRuns = @(); $restoreRuns = @()
        for ($run = 1; $run -le $Runs; $run++) {
            Write-Section "Bench 5-6/7, run $run of ${Runs}: Restore-PgBackup -Jobs 2 (fresh pwsh), CREATE DATABASE + pg_restore -j2 of the -Fc file"
            # Each restore starts from a checkpointed server without the previous run's database, so no step pays
            # for another one's dirty pages.
            Invoke-Psql -Server $server -Sql 'DROP DATABASE IF EXISTS bench_pgbt'
            Invoke-Psql -Server $server -Sql 'CHECKPOINT'
            $restoreJson = Join-Path $work 'restore.json'
            Invoke-ChildPwsh -RepoRoot $RepoRoot -File $child -ArgumentList ($common + @('-OutJson', $restoreJson, '-Mode', 'restore', '-Jobs', '2'))
            $restoreRuns += (Get-Content $restoreJson -Raw | ConvertFrom-Json).Seconds
            Invoke-Psql -Server $server -Sql 'DROP DATABASE IF EXISTS bench_pgrestore'
            Invoke-Psql -Server $server -Sql 'CHECKPOINT'
            # Restore-PgBackup creates the database it restores into, so the baseline does too, as a user of pg_restore
            # must (createdb, or pg_restore -C, which also uses template0). Both parts are kept, and printed.
            $createRuns += Measure-Seconds { Invoke-Psql -Server $server -Sql 'CREATE DATABASE bench_pgrestore TEMPLATE template0' }
            $pgRestoreOnlyRuns += Measure-Seconds { Invoke-PgTool -Server $server -Tool pg_restore -ArgumentList @('-j', '2', '-d', 'bench_pgrestore', $fcFile) }
            $pgRestoreRuns += $createRuns[-1] + $pgRestoreOnlyRuns[-1]
        }
        $pgRestoreSeconds = Get-Median $pgRestoreRuns
        $pgRestoreOnlySeconds = Get-Median $pgRestoreOnlyRuns
        $createSeconds = Get-Median $createRuns
        $restore = [pscustomobject]@{ Seconds = Get-Median $restoreRuns }

        Write-Section "Bench 6b/7: Test-PgBackup -Level Checksum of an uncompressed backup against sha256sum of the same files"
        $verifyJson = Join-Path $work 'verify.json'
        Invoke-ChildPwsh -RepoRoot $RepoRoot -File $child -ArgumentList ($common + @('-OutJson', $verifyJson, '-Mode', 'verify'))
        $verify = Get-Content $verifyJson -Raw | ConvertFrom-Json
        $verifiedDir = (Get-Content ($verifyJson + '.path') -Raw).Trim()
        $backupFiles = @(Get-ChildItem -LiteralPath $verifiedDir -File | Where-Object Name -notlike 'manifest.*' | Where-Object Name -notlike 'verification.*' | ForEach-Object FullName)
        $sha256sumSeconds = Measure-Seconds { & sha256sum @backupFiles | Out-Null; if ($LASTEXITCODE -ne 0) { throw "sha256sum failed" } }
        Write-Host ("Verified {0:N0} MB; sha256sum of the same files: {1}s" -f ($verify.Bytes / 1MB), $sha256sumSeconds)

        Write-Section "Bench 6c/7: Test-PgBackup -Level Restore -Jobs 2 (trial restore, row counts, amcheck)"
        $trialJson = Join-Path $work 'trial.json'
        Invoke-Psql -Server $server -Sql 'CHECKPOINT'
        Invoke-ChildPwsh -RepoRoot $RepoRoot -File $child -ArgumentList ($common + @('-OutJson', $trialJson, '-Mode', 'trial', '-Jobs', '2'))
        $trial = Get-Content $trialJson -Raw | ConvertFrom-Json
        $trialRestoreSeconds = [math]::Round($trial.Bytes / 1000, 2)
    } finally {
        Remove-Item Env:PGBT_BENCH_PASSWORD -ErrorAction Ignore
    }

    Write-Section "Bench 6d/7: retention at scale: Remove-PgBackupExpired's decisions for 10,000 backups, and listing 10,000 manifests"
    # The timed code is the xUnit RetentionBenchmarkTests: a synthetic repository of 10,000 manifests is quicker
    # to write there than 10,000 real backups.
    $retentionOutput = @(& dotnet test (Join-Path $RepoRoot 'tests/PgBackupTools.Tests') -c $Configuration --no-build --nologo `
        --filter 'FullyQualifiedName~RetentionBenchmarkTests' --logger 'console;verbosity=detailed' 2>&1 | ForEach-Object { "$_" })
    if ($LASTEXITCODE -ne 0) { throw "The retention benchmark failed:`n$($retentionOutput -join "`n")" }
    $benchMs = {
        param([string]$Pattern)
        $m = $retentionOutput | Select-String -Pattern $Pattern | Select-Object -First 1
        if (-not $m) { throw "The retention benchmark printed no line matching '$Pattern'." }
        [int]$m.Matches[0].Groups[1].Value
    }
    $decideMs = & $benchMs 'BENCH RetentionPlanner\.Decide: \d+ backups in (\d+) ms'
    $listMs = & $benchMs 'BENCH ManifestStore\.List: \d+ manifests in (\d+) ms'
    Write-Host "Retention: $decideMs ms to decide 10,000 backups, $listMs ms to list 10,000 manifests"

    $physicalResult = & (Join-Path $RepoRoot 'build/BenchPhysical.ps1') -RepoRoot $RepoRoot -ModulePath $ModulePath -Server $server -Work $work -Runs $Runs
    foreach ($k in $physicalResult.Targets.Keys) { $targets[$k] = $physicalResult.Targets[$k] }
    $loadResult = & (Join-Path $RepoRoot 'build/BenchLoad.ps1') -RepoRoot $RepoRoot -ModulePath $ModulePath -Server $server -Work $work
    foreach ($k in $loadResult.Targets.Keys) { $targets[$k] = $loadResult.Targets[$k] }

    Write-Section "Bench 7/7: results (scale $Scale, database $([math]::Round($dbSize / 1MB)) MB; medians of $Runs interleaved runs)"
    $timings = @(
        [pscustomobject]@{ Step = 'pg_dump -Fc -f file';        Seconds = $fcSeconds;        SizeMB = [math]::Round($fcSize / 1MB, 1) }
        [pscustomobject]@{ Step = 'pg_dump -Fc -Z0 -f file';     Seconds = $z0Seconds;        SizeMB = [math]::Round($z0Size / 1MB, 1) }
        [pscustomobject]@{ Step = 'Invoke-PgBackup (default)';  Seconds = $invoke.Seconds;   SizeMB = [math]::Round($invoke.Bytes / 1MB, 1) }
        [pscustomobject]@{ Step = 'CREATE DATABASE + pg_restore -j2'; Seconds = $pgRestoreSeconds; SizeMB = $null }
        [pscustomobject]@{ Step = '  CREATE DATABASE alone';    Seconds = $createSeconds;    SizeMB = $null }
        [pscustomobject]@{ Step = '  pg_restore -j2 alone';     Seconds = $pgRestoreOnlySeconds; SizeMB = $null }
        [pscustomobject]@{ Step = 'Restore-PgBackup -Jobs 2';   Seconds = $restore.Seconds;  SizeMB = $null }
        [pscustomobject]@{ Step = 'sha256sum of backup files';  Seconds = $sha256sumSeconds; SizeMB = [math]::Round($verify.Bytes / 1MB, 1) }
        [pscustomobject]@{ Step = 'Test-PgBackup -Level Checksum'; Seconds = $verify.Seconds; SizeMB = [math]::Round($verify.Bytes / 1MB, 1) }
        [pscustomobject]@{ Step = 'Test-PgBackup -Level Restore (total)'; Seconds = $trial.Seconds; SizeMB = $null }
        [pscustomobject]@{ Step = '  of which the restore';     Seconds = $trialRestoreSeconds; SizeMB = $null }
    ) + $physicalResult.Steps + $loadResult.Steps
    $timings | Format-Table -AutoSize | Out-Host

    $ratio = { param($a, $b) if ($b -gt 0) { [math]::Round($a / $b, 3) } else { $null } }
    $values = [ordered]@{
        'Invoke / pg_dump -Z0 time'     = & $ratio $invoke.Seconds $z0Seconds
        'Invoke / pg_dump -Fc time'     = & $ratio $invoke.Seconds $fcSeconds
        'Invoke / pg_dump -Fc size'     = & $ratio $invoke.Bytes $fcSize
        'Restore / createdb + pg_restore -j2 time' = & $ratio $restore.Seconds $pgRestoreSeconds
        'Restore / pg_restore -j2 alone (reference)' = & $ratio $restore.Seconds $pgRestoreOnlySeconds
        'Invoke peak RSS (MB)'          = $peakRssMb
        'Test Checksum / sha256sum time' = & $ratio $verify.Seconds $sha256sumSeconds
        'Test Restore (restore part) / pg_restore -j2 time' = & $ratio $trialRestoreSeconds $pgRestoreOnlySeconds
        'Retention: decide 10,000 backups (ms)' = $decideMs
        'Retention: list 10,000 manifests (ms)' = $listMs
    }
    foreach ($k in $physicalResult.Values.Keys) { $values[$k] = $physicalResult.Values[$k] }
    foreach ($k in $loadResult.Values.Keys) { $values[$k] = $loadResult.Values[$k] }
    $ratios = foreach ($k in $values.Keys) {
        $met = if (-not $targets.Contains($k)) { 'no target' } elseif ($null -eq $values[$k]) { 'not measured' } else { $values[$k] -le $targets[$k] }
        [pscustomobject]@{ Metric = $k; Value = $values[$k]; Target = $(if ($targets.Contains($k)) { "<= $($targets[$k])" } else { '' }); Met = $met }
    }
    $ratios | Format-Table -AutoSize | Out-Host
    Write-Host "Peak RSS measured by: $rssSource"

    $resultsDir = Join-Path $RepoRoot 'bench/results'
    New-Item -ItemType Directory -Force -Path $resultsDir | Out-Null
    $stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMdd-HHmmss')
    $outFile = Join-Path $resultsDir "$stamp.json"
    [ordered]@{
        Timestamp     = (Get-Date).ToUniversalTime().ToString('o')
        Scale         = $Scale
        DatabaseBytes = $dbSize
        Machine       = [ordered]@{ Cores = [Environment]::ProcessorCount; OS = [Runtime.InteropServices.RuntimeInformation]::OSDescription }
        Runs          = $Runs
        Samples       = [ordered]@{ PgDumpFc = $fcRuns; PgDumpZ0 = $z0Runs; InvokePgBackup = $invokeRuns; InvokePeakRssMB = $rssRuns; PgRestore = $pgRestoreRuns; PgRestoreOnly = $pgRestoreOnlyRuns; CreateDatabase = $createRuns; RestorePgBackup = $restoreRuns; Physical = $physicalResult.Samples; LiveLoad = $loadResult.Samples }
        Steps         = $timings
        Sizes         = [ordered]@{ PgDumpFc = $fcSize; PgDumpZ0 = $z0Size; InvokePgBackup = $invoke.Bytes }
        PeakRssMB     = $peakRssMb
        PeakRssSource = $rssSource
        Ratios        = $ratios
    } | ConvertTo-Json -Depth 5 | Set-Content -Path $outFile -Encoding utf8NoBOM
    Write-Host "Wrote $outFile"
} finally {
    Write-Section "Bench cleanup: stopping PostgreSQL and removing temporary files"
    if ($server) { try { Stop-TestPostgres $server } catch { Write-Warning "Stop-TestPostgres failed: $_" } }
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
