# Test-PgBackup: tampering is Failed at Checksum level naming the file; a backup that does not restore, or whose
# restored row counts differ from the recorded ones, is Failed at Restore level; an unreachable scratch server is
# Error; the scratch database never outlives a run. Two throwaway servers: the source and a scratch server.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force
    $script:Source = Start-PgbtTestServer
    $script:Scratch = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Source
    $scratchCred = New-PgbtCredential $Scratch
    $script:ScratchArgs = @{ ScratchHost = $Scratch.Host; ScratchPort = $Scratch.Port; ScratchCredential = $scratchCred }
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root

    New-PgbtDatabase $Source 'verify me' @'
CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Orders ü" (id int PRIMARY KEY, note text, amount numeric(10,2));
INSERT INTO "Sales Dept"."Orders ü" SELECT g, 'order ' || g, g * 1.5 FROM generate_series(1, 2000) g;
CREATE INDEX orders_note ON "Sales Dept"."Orders ü" (note);
CREATE TABLE public.items (id int PRIMARY KEY, order_id int REFERENCES "Sales Dept"."Orders ü"(id), qty int);
INSERT INTO public.items SELECT g, 1 + g % 2000, g % 7 FROM generate_series(1, 5000) g;
'@
    $script:Repo = New-PgbtRepository -Root $Root -Kind KeyFile
    $script:Key = $Repo.KeyArgs
    $script:Good = Invoke-PgBackup -Repository $Repo.Path -Database 'verify me' @Conn @Key -ErrorAction Stop

    $script:ScratchDatabases = { @(Get-PgbtDatabaseNames $Scratch | Where-Object { $_ -like 'pgbt_*' }) }
    $script:FlipByte = {
        param([string] $Path, [long] $Offset)
        $bytes = [System.IO.File]::ReadAllBytes($Path)
        $bytes[$Offset] = $bytes[$Offset] -bxor 0xFF
        [System.IO.File]::WriteAllBytes($Path, $bytes)
    }
    # A fresh copy of the good backup in its own repository, to damage without affecting other tests.
    $script:CopyRepo = {
        $copy = Join-Path $Root ('copy-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        Copy-Item -LiteralPath $Repo.Path -Destination $copy -Recurse
        $copy
    }
}

AfterAll {
    Stop-PgbtTestServer $Source
    Stop-PgbtTestServer $Scratch
}

Describe 'Test-PgBackup on a good backup' {
    It 'passes at Checksum level by default, without a scratch server' {
        $r = $Good | Test-PgBackup @Key -ErrorAction Stop
        $r.Level | Should -Be 'Checksum'
        $r.Status | Should -Be 'Passed'
        @($r.Checks | Where-Object Name -like 'file *').Count | Should -Be 3
        @($r.Checks | Where-Object Status -ne 'Passed') | Should -BeNullOrEmpty
    }

    It 'passes at Structure level' {
        $r = Test-PgBackup -Repository $Repo.Path -Id $Good.Id -Level Structure @Key -ErrorAction Stop
        $r.Status | Should -Be 'Passed'
        ($r.Checks | Where-Object Name -eq 'archive table of contents').Detail | Should -Match '2 tables, 2 with data'
    }

    It 'passes at Restore level (the default with a scratch server), compares every table and leaves no scratch database' {
        $r = Test-PgBackup -Repository $Repo.Path -Database 'verify me' -Latest @Key @ScratchArgs -ErrorAction Stop
        $r.Level | Should -Be 'Restore'
        $r.Status | Should -Be 'Passed'
        $r.TablesCompared | Should -Be 2
        $r.RowMismatches | Should -Be 0
        $r.RestoreDuration | Should -BeGreaterThan ([TimeSpan]::Zero)
        ($r.Checks | Where-Object Name -eq 'amcheck').Status | Should -Be 'Passed'
        ($r.Checks | Where-Object Name -eq 'amcheck').Detail | Should -Match '^[3-9] B-tree indexes'
        & $ScratchDatabases | Should -BeNullOrEmpty
    }

    It 'refuses the source server as scratch server unless -AllowSourceServer' {
        $r = $Good | Test-PgBackup @Key -ScratchHost $Source.Host -ScratchPort $Source.Port -ScratchCredential (New-PgbtCredential $Source) -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Error'
        ($r.Checks | Where-Object Name -eq 'scratch server').Detail | Should -Match 'ScratchIsSourceServer'
        Assert-PgbtErrorId $err 'VerificationError'

        $ok = $Good | Test-PgBackup @Key -ScratchHost $Source.Host -ScratchPort $Source.Port -ScratchCredential (New-PgbtCredential $Source) -AllowSourceServer -ErrorAction Stop
        $ok.Status | Should -Be 'Passed'
        @(Get-PgbtDatabaseNames $Source | Where-Object { $_ -like 'pgbt_*' }) | Should -BeNullOrEmpty
    }

    It 'saves the result with the backup, so Get-PgBackup shows it' {
        $null = $Good | Test-PgBackup @Key -ErrorAction Stop
        $listed = Get-PgBackup -Repository $Repo.Path -Id $Good.Id @Key
        $listed.VerificationStatus | Should -Be 'Passed'
        $listed.VerificationLevel | Should -Be 'Checksum'
        $listed.LastVerified | Should -BeGreaterThan $Good.StartTime
    }
}

Describe 'Test-PgBackup finds what is wrong' {
    It 'a flipped byte in the dump is Failed at Checksum level, naming the file, and -ErrorAction Stop throws' {
        $copy = & $CopyRepo
        $dump = Get-ChildItem -LiteralPath (Join-Path $copy "backups/$($Good.Id)") -Filter 'database.pgdump*'
        & $FlipByte $dump.FullName ([long]($dump.Length / 2))
        $r = Test-PgBackup -Repository $copy -Id $Good.Id @Key -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $bad = @($r.Checks | Where-Object Status -eq 'Failed')
        $bad.Count | Should -Be 1
        $bad[0].Name | Should -Be "file $($dump.Name)"
        Assert-PgbtErrorId $err 'VerificationFailed'
        { Test-PgBackup -Repository $copy -Id $Good.Id @Key -ErrorAction Stop } | Should -Throw -ErrorId 'VerificationFailed,*'
        (Get-PgBackup -Repository $copy -Id $Good.Id @Key).VerificationStatus | Should -Be 'Failed'
    }

    It 'a truncated file and an edited manifest are Failed too' {
        $copy = & $CopyRepo
        $globals = Get-ChildItem -LiteralPath (Join-Path $copy "backups/$($Good.Id)") -Filter 'globals.sql*'
        $bytes = [System.IO.File]::ReadAllBytes($globals.FullName)
        [System.IO.File]::WriteAllBytes($globals.FullName, $bytes[0..($bytes.Length - 20)])
        $r = Test-PgBackup -Repository $copy -Id $Good.Id @Key -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        ($r.Checks | Where-Object Status -eq 'Failed').Name | Should -Be "file $($globals.Name)"

        $manifest = Join-Path $copy "backups/$($Good.Id)/manifest.json"
        (Get-Content -Raw $manifest).Replace('"tableCount": 2', '"tableCount": 3') | Set-Content -NoNewline $manifest
        $r = Test-PgBackup -Repository $copy -Id $Good.Id @Key -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        ($r.Checks | Where-Object Name -eq 'manifest').Status | Should -Be 'Failed'
    }

    It 'a backup that does not restore cleanly is Failed at Restore level with the pg_restore error, and the scratch database is gone' {
        # The table's owner exists on the source only: the archive is intact, the restore on the scratch server is not.
        New-PgbtDatabase $Source 'owned' "CREATE ROLE verify_owner; CREATE TABLE t (id int); ALTER TABLE t OWNER TO verify_owner; INSERT INTO t VALUES (1);"
        $b = Invoke-PgBackup -Repository $Repo.Path -Database 'owned' @Conn @Key -ErrorAction Stop
        $r = $b | Test-PgBackup @Key @ScratchArgs -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $restore = $r.Checks | Where-Object Name -eq 'restore'
        $restore.Status | Should -Be 'Failed'
        $restore.Detail | Should -Match 'role "verify_owner" does not exist'
        Assert-PgbtErrorId $err 'VerificationFailed'
        & $ScratchDatabases | Should -BeNullOrEmpty
    }

    It 'row counts that differ from the recorded ones are Failed, naming the table' {
        # An unencrypted repository, whose catalog is plain JSON: record one row more than the dump holds, and
        # re-seal the manifest's checksums so only the row count comparison can notice.
        $plain = New-PgbtRepository -Root $Root -Kind None
        $b = Invoke-PgBackup -Repository $plain.Path -Database 'verify me' @Conn -ErrorAction Stop
        $dir = Join-Path $plain.Path "backups/$($b.Id)"
        $catalogPath = Join-Path $dir 'catalog.json'
        $catalog = [System.IO.File]::ReadAllText($catalogPath)
        $catalog = $catalog -replace '("table": "items",\s*"rows": )5000', '${1}5001'
        [System.IO.File]::WriteAllText($catalogPath, $catalog)
        $sha = (Get-FileHash -Algorithm SHA256 $catalogPath).Hash.ToLowerInvariant()
        $size = (Get-Item $catalogPath).Length
        $manifestPath = Join-Path $dir 'manifest.json'
        $manifest = [System.IO.File]::ReadAllText($manifestPath)
        $manifest = $manifest -replace '("name": "catalog.json",\s*"role": "catalog",\s*"compression": "none",\s*"sizeBytes": )\d+(,\s*"sha256": ")[0-9a-f]+', "`${1}$size`${2}$sha"
        [System.IO.File]::WriteAllText($manifestPath, $manifest)
        $manifestSha = (Get-FileHash -Algorithm SHA256 $manifestPath).Hash.ToLowerInvariant()
        [System.IO.File]::WriteAllText((Join-Path $dir 'manifest.mac'), "sha256:$manifestSha`n")

        $r = $b | Test-PgBackup @ScratchArgs -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $r.RowMismatches | Should -Be 1
        $counts = $r.Checks | Where-Object Name -eq 'row counts'
        $counts.Status | Should -Be 'Failed'
        $counts.Detail | Should -Match 'public\.items: 5000 rows restored, 5001 recorded'
        & $ScratchDatabases | Should -BeNullOrEmpty
    }

    It 'an unreachable scratch server is Error, not Passed and not Skipped' {
        $r = $Good | Test-PgBackup @Key -ScratchHost 127.0.0.1 -ScratchPort 1 -ScratchCredential (New-PgbtCredential $Scratch) -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Error'
        ($r.Checks | Where-Object Name -eq 'scratch server').Detail | Should -Match 'ServerUnreachable'
        Assert-PgbtErrorId $err 'VerificationError'
    }

    It 'an interrupted trial restore (Ctrl+C) leaves no scratch database' {
        New-PgbtDatabase $Source 'slow restore' "CREATE TABLE big (id int PRIMARY KEY, payload text); INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 400000) g;"
        $b = Invoke-PgBackup -Repository $Repo.Path -Database 'slow restore' @Conn @Key -ErrorAction Stop
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($ModulePath, $Backup, $KeyArgs, $ScratchArgs)
            Import-Module $ModulePath
            $Backup | Test-PgBackup @KeyArgs @ScratchArgs
        }).AddParameters(@{ ModulePath = (Get-PgbtModulePath); Backup = $b; KeyArgs = $Key; ScratchArgs = $ScratchArgs })
        $async = $ps.BeginInvoke()
        try {
            $seen = Wait-PgbtCondition -TimeoutSeconds 60 -IntervalMilliseconds 20 -Condition { & $ScratchDatabases }
            $seen | Should -Not -BeNullOrEmpty -Because 'the trial restore should have created its scratch database'
            $ps.Stop()
        } finally {
            $ps.Dispose()
        }
        Wait-PgbtCondition -TimeoutSeconds 20 -Condition { @(& $ScratchDatabases).Count -eq 0 } | Should -BeTrue
    }
}
