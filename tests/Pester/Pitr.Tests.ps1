# Physical backups and point-in-time recovery against a real server that archives its WAL through pgbt-wal:
# pgbench writes during the base backup; a marker row at time T; restore to T has the marker and nothing later;
# restore to latest has everything; a hole or a flipped byte in the archive stops recovery naming the segment.
# Run through tests/Pester/Invoke-PesterSuite.ps1 (PGBT_MODULE_PATH).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../tools/TestPostgres.psm1') -Force
    $script:ModulePath = Get-PgbtModulePath
    Import-Module $ModulePath -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server

    $script:Root = Join-Path $Server.RootDir 'pitr'
    $null = New-Item -ItemType Directory -Path $Root
    $script:Repo = New-PgbtRepository -Root $Root
    $script:KeyArgs = $Repo.KeyArgs

    # Refusals before the server is set up for physical backups. The first uses no physical-only switch: -Type Physical
    # alone must bind to a base backup, not ask for -Database.
    $null = Invoke-PgBackup -Repository $Repo.Path -Type Physical @Conn @KeyArgs -ErrorVariable script:ArchiveOffError -ErrorAction SilentlyContinue
    $null = Invoke-PgbtSql $Server -Sql "CREATE ROLE plain LOGIN PASSWORD 'plain pw'"
    $plain = [pscredential]::new('plain', (ConvertTo-SecureString 'plain pw' -AsPlainText -Force))
    $null = Invoke-PgBackup -Repository $Repo.Path -Type Physical -Host $Server.Host -Port $Server.Port -Credential $plain -IncludeWal @KeyArgs -ErrorVariable script:NoReplicationError -ErrorAction SilentlyContinue

    # pg_hba.conf without replication lines: pg_basebackup's refusal becomes a clear ReplicationNotAllowed.
    $hba = Join-Path $Server.DataDir 'pg_hba.conf'
    $hbaText = Get-Content -LiteralPath $hba -Raw
    [System.IO.File]::WriteAllText($hba, (($hbaText -split "`n") | Where-Object { $_ -notmatch '^\s*(local|host)\s+replication\s' }) -join "`n")
    $null = Invoke-PgbtSql $Server -Sql 'SELECT pg_reload_conf()'
    $null = Invoke-PgBackup -Repository $Repo.Path -Type Physical -IncludeWal -FastCheckpoint @Conn @KeyArgs -ErrorVariable script:HbaError -ErrorAction SilentlyContinue
    [System.IO.File]::WriteAllText($hba, $hbaText)
    $null = Invoke-PgbtSql $Server -Sql 'SELECT pg_reload_conf()'

    $tool = Join-Path $Root 'pgbt-wal'
    Copy-Item -LiteralPath (Join-Path (Split-Path $ModulePath) "bin/$([System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)/pgbt-wal") -Destination $tool
    & chmod 755 $tool
    Grant-TestPostgresAccess $Root
    $wal = Get-PgWalArchiveCommand -Repository $Repo.Path @KeyArgs -ToolPath $tool
    # The socket directory goes into the configuration so restored copies (on other ports) find it too.
    $null = Invoke-PgbtSql $Server -Sql @"
ALTER SYSTEM SET archive_mode = 'on';
ALTER SYSTEM SET archive_command = $(ConvertTo-PgbtLiteral $wal.ArchiveCommand);
ALTER SYSTEM SET unix_socket_directories = $(ConvertTo-PgbtLiteral $Server.SocketDir);
"@
    Restart-TestPostgres $Server
    $null = Invoke-PgbtClient -Server $Server -Program pgbench -Arguments @('-i', '-s', '1', '-q', 'postgres')
    $null = Invoke-PgbtSql $Server -Sql 'CREATE TABLE marker (id int PRIMARY KEY, note text)'

    $script:SwitchAndWait = {
        $name = Get-PgbtScalar $Server -Sql 'SELECT pg_walfile_name(pg_switch_wal())'
        $done = Wait-PgbtCondition -TimeoutSeconds 60 -Condition { (Get-PgbtScalar $Server -Sql 'SELECT last_archived_wal FROM pg_stat_archiver') -ge $name }
        if (-not $done) { throw "Segment $name was not archived within 60 s." }
        $name
    }
    $script:StartPgbench = {
        param([int] $Seconds)
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $Server.BinDir 'pgbench'))
        foreach ($a in @('-h', $Server.Host, '-p', "$($Server.Port)", '-U', $Server.User, '-c', '2', '-T', "$Seconds", '-n', 'postgres')) { $psi.ArgumentList.Add($a) }
        $psi.Environment['PGPASSWORD'] = $Server.Password
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        [System.Diagnostics.Process]::Start($psi)
    }
    $script:Restored = [System.Collections.Generic.List[object]]::new()
    $script:RestoreTo = {
        param([hashtable] $Target, [string] $Name)
        $path = Join-Path $Root $Name
        $port = Get-PgbtFreePort
        $result = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath $path -Port $port -Start -Confirm:$false @KeyArgs @Target -ErrorAction Stop
        $copy = [pscustomobject]@{ Host = $Server.Host; Port = $port; User = $Server.User; Password = $Server.Password; BinDir = $Server.BinDir; DataDir = $path; RootDir = $path }
        $script:Restored.Add($copy)
        [pscustomobject]@{ Result = $result; Server = $copy }
    }

    # The history: base backup under load, marker at T, more writes, everything archived.
    $bench = & $StartPgbench 12
    Start-Sleep -Seconds 2
    $script:Base = Invoke-PgBackup -Repository $Repo.Path -Type Physical -FastCheckpoint @Conn @KeyArgs -ErrorAction Stop
    $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES (1, 'before T')"
    $script:T = [DateTimeOffset]::Parse((Get-PgbtScalar $Server -Sql "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'"))
    Start-Sleep -Milliseconds 1500
    $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES (2, 'after T')"
    # A named restore point between markers 3 and 4, and the WAL insert position between 4 and 5 (the next record
    # after it can only be 5's row, never 5's commit, so an inclusive stop there leaves 5 out).
    $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES (3, 'before the restore point')"
    $null = Invoke-PgbtSql $Server -Sql "SELECT pg_create_restore_point('pgbt_before_4')"
    $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES (4, 'after the restore point')"
    $script:LsnAfter4 = Get-PgbtScalar $Server -Sql 'SELECT pg_current_wal_insert_lsn()'
    $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES (5, 'after the LSN')"
    $bench.WaitForExit()
    $script:BenchExit = $bench.ExitCode
    $script:FinalHistory = [long](Get-PgbtScalar $Server -Sql 'SELECT count(*) FROM pgbench_history')
    $script:FinalBalance = Get-PgbtScalar $Server -Sql 'SELECT sum(abalance) FROM pgbench_accounts'
    $script:LastSegment = & $SwitchAndWait
    # Two more segments, so the archive goes on past the segment a hole is punched into.
    foreach ($i in 1..2) {
        $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES ($(10 + $i), 'filler')"
        $null = & $SwitchAndWait
    }
    $script:SegmentOf = {
        param([string] $Lsn)
        $parts = $Lsn.Split('/')
        $value = ([Convert]::ToUInt64($parts[0], 16) -shl 32) + [Convert]::ToUInt64($parts[1], 16) - 1
        $segment = [uint64][math]::Floor($value / 16MB)
        '00000001{0:X8}{1:X8}' -f [uint32][math]::Floor($segment / 256), [uint32]($segment % 256)
    }
    $script:StoredSegments = {
        @(Get-ChildItem -LiteralPath (Join-Path $Repo.Path "wal/$($Base.SystemIdentifier)") -Recurse -File | Where-Object Name -match '^[0-9A-F]{24}\.[0-9a-f]{16}\.' | Sort-Object Name)
    }
}

AfterAll {
    foreach ($copy in $Restored) {
        if (Test-Path -LiteralPath (Join-Path $copy.DataDir 'postmaster.pid')) {
            & runuser -u postgres -- (Join-Path $copy.BinDir 'pg_ctl') -D $copy.DataDir -m immediate -w stop *> $null
        }
    }
    Stop-PgbtTestServer $Server
}

Describe 'Invoke-PgBackup -Type Physical' {
    It 'refuses when the server does not archive its WAL, saying what to change' {
        Assert-PgbtErrorId $ArchiveOffError 'WalArchivingNotConfigured'
        "$($ArchiveOffError[0])" | Should -Match 'Get-PgWalArchiveCommand'
    }

    It 'refuses a role without the REPLICATION attribute, saying what to run' {
        Assert-PgbtErrorId $NoReplicationError 'PhysicalBackupNoReplicationRole'
        "$($NoReplicationError[0])" | Should -Match 'ALTER ROLE "plain" REPLICATION'
    }

    It 'refuses clearly when pg_hba.conf allows no replication connection, saying what line to add' {
        Assert-PgbtErrorId $HbaError 'ReplicationNotAllowed'
        "$($HbaError[0])" | Should -Match 'host replication'
    }

    It 'lists nothing after a refusal' {
        @(Get-PgBackup -Repository $Repo.Path @KeyArgs | Where-Object Type -eq 'Physical').Count | Should -Be 1
    }

    It 'backs up the cluster under load and records its WAL range' {
        $BenchExit | Should -Be 0
        $Base.Type | Should -Be 'Physical'
        $Base.Database | Should -Be '(cluster)'
        $Base.Encrypted | Should -BeTrue
        $Base.StartLsn | Should -Match '^[0-9A-F]+/[0-9A-F]+$'
        $Base.Timeline | Should -Be 1
        $Base.SystemIdentifier | Should -Be (Get-PgbtScalar $Server -Sql 'SELECT system_identifier FROM pg_control_system()')
        $Base.SizeBytes | Should -BeLessThan $Base.RawSizeBytes
        $listed = Get-PgBackup -Repository $Repo.Path -Id $Base.Id @KeyArgs
        $listed.StopLsn | Should -Be $Base.StopLsn
        $manifest = Get-Content (Join-Path $Base.Path 'manifest.json') -Raw | ConvertFrom-Json
        $manifest.compression | Should -Be 'zstd'
        $manifest.compressionLevel | Should -Be 1 -Because 'base backups default to zstd level 1, as WAL does'
        $manifest.physical.compressedOnServer | Should -BeTrue -Because 'PostgreSQL 15 compresses the tar itself when asked'
        $Base.PgDumpVersion | Should -Match 'BASE_BACKUP through libpq .*compressed on the server'
    }
}

Describe 'Get-PgBackupHealth with a WAL archive' {
    It 'reports the age of the newest archived segment (the RPO) and a continuous archive' {
        $health = Get-PgBackupHealth -Repository $Repo.Path @KeyArgs
        $age = $health.Checks | Where-Object Name -eq 'WAL archive age'
        $age.Status | Should -Be 'OK'
        $age.Database | Should -Be "system $($Base.SystemIdentifier)"
        $continuity = $health.Checks | Where-Object Name -eq 'WAL archive continuity'
        $continuity.Status | Should -Be 'OK'
        ($health.Checks | Where-Object { $_.Name -eq 'backup age' -and $_.Database -eq '(cluster)' }).Status | Should -Be 'OK'
    }
}

Describe 'Restore-PgBackup -Type Physical' {
    It 'restores to time T: the marker is there and nothing committed later' {
        $r = & $RestoreTo @{ PointInTime = $T } 'at-t'
        $r.Result.Running | Should -BeTrue
        $r.Result.BackupId | Should -Be $Base.Id
        $r.Result.Timeline | Should -Be 2
        $r.Result.ReachedTime | Should -BeLessOrEqual $T
        @(Invoke-PgbtSql $r.Server -Sql 'SELECT id FROM marker ORDER BY id') | Should -Be @('1')
        # pgbench stamps each row with its transaction's start; none may be after T, and what committed well before T is all there.
        $literal = ConvertTo-PgbtLiteral $T.ToString('yyyy-MM-dd HH:mm:ss.ffffff+00')
        Get-PgbtScalar $r.Server -Sql "SELECT count(*) FROM pgbench_history WHERE mtime > $literal::timestamptz" | Should -Be '0'
        $earlier = [long](Get-PgbtScalar $Server -Sql "SELECT count(*) FROM pgbench_history WHERE mtime < $literal::timestamptz - interval '1 second'")
        [long](Get-PgbtScalar $r.Server -Sql 'SELECT count(*) FROM pgbench_history') | Should -BeGreaterOrEqual $earlier
        $earlier | Should -BeGreaterThan 0
        Get-PgbtScalar $r.Server -Sql 'SHOW archive_mode' | Should -Be 'off'
    }

    It 'restores to a named restore point (-TargetName): what committed before it is there, nothing after' {
        $r = & $RestoreTo @{ TargetName = 'pgbt_before_4' } 'named'
        $r.Result.BackupId | Should -Be $Base.Id
        $r.Result.Recovered | Should -BeTrue
        $r.Result.Target | Should -Match 'pgbt_before_4'
        @(Invoke-PgbtSql $r.Server -Sql 'SELECT id FROM marker ORDER BY id') | Should -Be @('1', '2', '3')
    }

    It 'restores to a WAL position (-TargetLsn): what committed before it is there, nothing after' {
        $r = & $RestoreTo @{ TargetLsn = $LsnAfter4 } 'lsn'
        $r.Result.BackupId | Should -Be $Base.Id
        $r.Result.Recovered | Should -BeTrue
        @(Invoke-PgbtSql $r.Server -Sql 'SELECT id FROM marker ORDER BY id') | Should -Be @('1', '2', '3', '4')
    }

    It 'fails with RecoveryTargetNotReached for <Name>, saying why' -TestCases @(
        @{ Name = 'a restore point that does not exist'; Target = @{ TargetName = 'no_such_point' }; Why = 'No restore point named .no_such_point. follows backup' }
        @{ Name = 'a WAL position not archived yet'; Target = @{ TargetLsn = 'FF/0' }; Why = 'without reaching WAL location FF/0\. Either it has not been archived yet' }
    ) {
        param($Name, $Target, $Why)
        $path = Join-Path $Root ('unreached-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath $path -Port (Get-PgbtFreePort) -Start -Confirm:$false @KeyArgs @Target -ErrorVariable err -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $err 'RecoveryTargetNotReached'
        "$($err[0])" | Should -Match $Why
        Test-Path -LiteralPath (Join-Path $path 'postmaster.pid') | Should -BeFalse -Because 'nothing is left running'
    }

    It 'restores to the latest archived point: everything is there' {
        $r = & $RestoreTo @{ Latest = $true } 'latest'
        @(Invoke-PgbtSql $r.Server -Sql 'SELECT id FROM marker ORDER BY id') | Should -Be @('1', '2', '3', '4', '5', '11', '12')
        [long](Get-PgbtScalar $r.Server -Sql 'SELECT count(*) FROM pgbench_history') | Should -Be $FinalHistory
        Get-PgbtScalar $r.Server -Sql 'SELECT sum(abalance) FROM pgbench_accounts' | Should -Be $FinalBalance
    }

    It 'refuses a non-empty target folder and a target before every backup' {
        $busy = Join-Path $TestDrive 'busy'
        $null = New-Item -ItemType Directory -Path $busy
        Set-Content -LiteralPath (Join-Path $busy 'keep.txt') -Value 'mine'
        $null = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath $busy -Confirm:$false @KeyArgs -ErrorVariable e1 -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $e1 'RestoreTargetNotEmpty'
        Get-Content -LiteralPath (Join-Path $busy 'keep.txt') | Should -Be 'mine'

        $null = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath (Join-Path $TestDrive 'early') -PointInTime $Base.StartTime.AddHours(-1) -Confirm:$false @KeyArgs -ErrorVariable e2 -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $e2 'NoBackupBeforeTarget'
    }

    It 'takes a physical backup from the pipeline and, without -Start, leaves a folder ready to recover' {
        $path = Join-Path $Root 'piped'
        $result = Get-PgBackup -Repository $Repo.Path -Id $Base.Id @KeyArgs | Restore-PgBackup -Type Physical -TargetPath $path -PointInTime $T -Confirm:$false @KeyArgs
        $result.BackupId | Should -Be $Base.Id
        $result.Running | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $path 'recovery.signal') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $path 'PG_VERSION') | Should -BeTrue
        $auto = Get-Content -LiteralPath (Join-Path $path 'postgresql.auto.conf') -Raw
        $auto | Should -Match "restore_command = '.*archive-get .*--system-id $($Base.SystemIdentifier) %f %p'"
        $auto | Should -Match "recovery_target_time = '"
        $auto | Should -Match "archive_mode = 'off'"
        $auto | Should -Not -Match ([regex]::Escape($Server.Password))
        # The server sent backup_manifest beside its compressed tar; the restored folder has it all the same, and
        # PostgreSQL's own checker agrees with every file (it ignores recovery.signal and postgresql.auto.conf).
        $verify = & (Join-Path $Server.BinDir 'pg_verifybackup') --no-parse-wal $path 2>&1
        $LASTEXITCODE | Should -Be 0 -Because "$verify"
    }

    It 'refuses before extracting anything when the server account could not read the key file' -Skip:((& id -u) -ne '0') {
        # Only as root does the restored server run as another account (postgres) than the one restoring.
        & chown root: $Repo.KeyFile
        try {
            $path = Join-Path $Root 'no-access'
            $null = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath $path -Latest -Start -Confirm:$false @KeyArgs -ErrorVariable err -ErrorAction SilentlyContinue
            Assert-PgbtErrorId $err 'ServerAccountCannotReadRepository'
            "$($err[0])" | Should -Match ([regex]::Escape($Repo.KeyFile))
            Test-Path -LiteralPath (Join-Path $path 'PG_VERSION') | Should -BeFalse
        } finally {
            Grant-TestPostgresAccess $Repo.KeyFile
        }
    }

    It '-WhatIf restores nothing' {
        $path = Join-Path $TestDrive 'whatif'
        Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath $path -Start -WhatIf @KeyArgs
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'stops at a flipped byte in a segment before the target, naming it' {
        $stored = @(Get-ChildItem -LiteralPath (Join-Path $Repo.Path "wal/$($Base.SystemIdentifier)") -Recurse -File -Filter "$LastSegment.*")[0]
        $original = [System.IO.File]::ReadAllBytes($stored.FullName)
        try {
            $bytes = [byte[]]$original.Clone()
            $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0x10
            [System.IO.File]::WriteAllBytes($stored.FullName, $bytes)
            $null = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath (Join-Path $Root 'flipped') -Latest -Start -Confirm:$false @KeyArgs -ErrorVariable err -ErrorAction SilentlyContinue
            Assert-PgbtErrorId $err 'RecoveryWalUnavailable'
            "$($err[0])" | Should -Match $LastSegment
        } finally {
            [System.IO.File]::WriteAllBytes($stored.FullName, $original)
        }
    }

    It 'refuses to recover to latest past a hole in the archive, naming the missing segment' {
        $stopSegment = & $SegmentOf $Base.StopLsn
        $later = @(& $StoredSegments | Where-Object { $_.Name.Substring(0, 24) -gt $stopSegment })
        $later.Count | Should -BeGreaterOrEqual 2
        $victim = $later[0]
        $name = $victim.Name.Substring(0, 24)
        $saved = Join-Path $TestDrive 'saved-segment'
        Move-Item -LiteralPath $victim.FullName -Destination $saved
        try {
            $null = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath (Join-Path $Root 'gap') -Latest -Start -Confirm:$false @KeyArgs -ErrorVariable err -ErrorAction SilentlyContinue
            Assert-PgbtErrorId $err 'WalGap'
            "$($err[0])" | Should -Match $name
            $continuity = (Get-PgBackupHealth -Repository $Repo.Path @KeyArgs).Checks | Where-Object Name -eq 'WAL archive continuity'
            $continuity.Status | Should -Be 'Critical'
            $continuity.Message | Should -Match $name
            Test-Path -LiteralPath (Join-Path $Root 'gap/PG_VERSION') | Should -BeFalse -Because 'the hole is found before anything is extracted'
        } finally {
            Move-Item -LiteralPath $saved -Destination $victim.FullName
        }
    }

    It 'refuses a backup whose own WAL is missing, naming the segment' {
        $stopSegment = & $SegmentOf $Base.StopLsn
        $victim = @(& $StoredSegments | Where-Object { $_.Name.Substring(0, 24) -eq $stopSegment })[0]
        $saved = Join-Path $TestDrive 'saved-own-segment'
        Move-Item -LiteralPath $victim.FullName -Destination $saved
        try {
            $null = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath (Join-Path $Root 'own') -PointInTime $T -Confirm:$false @KeyArgs -ErrorVariable err -ErrorAction SilentlyContinue
            Assert-PgbtErrorId $err 'WalMissing'
            "$($err[0])" | Should -Match $stopSegment
        } finally {
            Move-Item -LiteralPath $saved -Destination $victim.FullName
        }
    }
}

Describe 'Remove-PgBackupExpired with physical backups and WAL' {
    It 'removes WAL only before the oldest remaining physical backup, and the rest still restores to latest' {
        $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES (20, 'before the second base backup')"
        # Compressed on this machine (pg_basebackup), so the restore to latest and Test-PgBackup -Level Restore below
        # cover that path, and the restores from $Base the server-compressed one.
        $second = Invoke-PgBackup -Repository $Repo.Path -Type Physical -FastCheckpoint -ClientCompression @Conn @KeyArgs -ErrorAction Stop
        $second.PgDumpVersion | Should -Match '^pg_basebackup'
        (Get-Content (Join-Path $second.Path 'manifest.json') -Raw | ConvertFrom-Json).physical.compressedOnServer | Should -BeFalse
        $null = Invoke-PgbtSql $Server -Sql "INSERT INTO marker VALUES (21, 'after the second base backup')"
        $null = & $SwitchAndWait
        $before = @(& $StoredSegments)
        $keepFrom = & $SegmentOf $second.StartLsn   # the segment holding StartLsn-1 or StartLsn: both are >= what may go
        $whatIf = @(Remove-PgBackupExpired -Repository $Repo.Path -Database '(cluster)' -WhatIf @KeyArgs)
        @(& $StoredSegments).Count | Should -Be $before.Count -Because '-WhatIf deletes nothing'
        ($whatIf | Where-Object Id -eq $Base.Id).Action | Should -Be 'Remove'

        $decisions = @(Remove-PgBackupExpired -Repository $Repo.Path -Database '(cluster)' -Force @KeyArgs)
        ($decisions | Where-Object Id -eq $Base.Id).Action | Should -Be 'Remove'
        ($decisions | Where-Object Id -eq $second.Id).Action | Should -Be 'Keep'
        $after = @(& $StoredSegments | ForEach-Object { $_.Name.Substring(0, 24) })
        $after.Count | Should -BeLessThan $before.Count
        $after | ForEach-Object { $_ | Should -BeGreaterOrEqual $keepFrom.Substring(0, 16) }
        ($after | Sort-Object | Select-Object -First 1) | Should -BeLessOrEqual $keepFrom -Because 'the segment the remaining backup starts in stays'
        $continuity = (Get-PgBackupHealth -Repository $Repo.Path @KeyArgs).Checks | Where-Object Name -eq 'WAL archive continuity'
        $continuity.Status | Should -Be 'OK'

        $r = & $RestoreTo @{ Latest = $true } 'after-retention'
        $r.Result.BackupId | Should -Be $second.Id
        @(Invoke-PgbtSql $r.Server -Sql 'SELECT id FROM marker WHERE id >= 20 ORDER BY id') | Should -Be @('20', '21')
    }
}

Describe 'Test-PgBackup on a physical backup' {
    It 'passes at level Restore: WAL verified, contents checked, recovered to consistency, amcheck clean, nothing left behind' {
        $latest = Get-PgBackup -Repository $Repo.Path -Database '(cluster)' -Latest @KeyArgs
        $scratch = Join-Path $Root 'scratch'
        $null = New-Item -ItemType Directory -Path $scratch
        Grant-TestPostgresAccess $scratch
        $result = Test-PgBackup -InputObject $latest -Level Restore -ScratchPath $scratch @KeyArgs
        $result.Status | Should -Be 'Passed' -Because (($result.Checks | ForEach-Object { "$($_.Name): $($_.Status) $($_.Detail)" }) -join "`n")
        $names = @($result.Checks.Name)
        foreach ($n in 'WAL to consistency', 'base backup contents', 'restore into a temporary folder', 'recovery to consistency', 'databases open', 'amcheck (B-tree indexes)') {
            $names | Should -Contain $n
        }
        ($result.Checks | Where-Object Name -eq 'amcheck (B-tree indexes)').Detail | Should -Match '^[1-9]\d* index'
        @(Get-ChildItem -LiteralPath $scratch -Force).Count | Should -Be 0 -Because 'the trial cluster is removed afterwards'
        (Get-PgBackup -Repository $Repo.Path -Id $latest.Id @KeyArgs).VerificationStatus | Should -Be 'Passed'
    }

    It 'fails at level Checksum when a segment the backup needs is damaged, naming it' {
        $latest = Get-PgBackup -Repository $Repo.Path -Database '(cluster)' -Latest @KeyArgs
        $segment = & $SegmentOf $latest.StopLsn
        $stored = @(& $StoredSegments | Where-Object { $_.Name.StartsWith("$segment.") })[0]
        $original = [System.IO.File]::ReadAllBytes($stored.FullName)
        try {
            $bytes = [byte[]]$original.Clone()
            $bytes[100] = $bytes[100] -bxor 1
            [System.IO.File]::WriteAllBytes($stored.FullName, $bytes)
            $result = Test-PgBackup -InputObject $latest -Level Checksum @KeyArgs -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            ($result.Checks | Where-Object Name -eq 'WAL to consistency').Detail | Should -Match $segment
        } finally {
            [System.IO.File]::WriteAllBytes($stored.FullName, $original)
        }
    }
}
