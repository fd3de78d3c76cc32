# Invoke-PgBackup / Get-PgBackup against a throwaway PostgreSQL: round trips that must give identical databases,
# secrets that must not leak, and listing/filtering. Run through tests/Pester/Invoke-PesterSuite.ps1 (PGBT_MODULE_PATH).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root

    # Full-featured source (large objects, ~2 MB blob) and a lighter one for the other variants.
    $script:RichDb = 'Quellé "rich" db'
    New-PgbtDatabase $Server $RichDb (Get-PgbtRichDatabaseSql -Rows 300)
    $script:RichStats = Get-PgbtTableStats $Server $RichDb
    $script:LightDb = 'light db'
    New-PgbtDatabase $Server $LightDb ((Get-PgbtRichDatabaseSql -Rows 40 -NoLargeObjects) + "`nSELECT lo_from_bytea(4242, 'tiny'::bytea);")
    $script:LightStats = Get-PgbtTableStats $Server $LightDb
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Invoke-PgBackup round trip' {
    It 'backs up a rich database into a key-file repository and restores it identically' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $RichStats.TableCount | Should -Be 5 -Because 'the fixture itself must be what the test expects'
        (Get-PgbtScalar $Server $RichDb 'SELECT count(*) FROM pg_largeobject_metadata') | Should -Be '3'

        $b = Invoke-PgBackup -Repository $repo.Path -Database $RichDb @Conn @key -ErrorAction Stop
        @($b).Count | Should -Be 1
        $b.PSObject.TypeNames | Should -Contain 'PgBackupTools.Backup'
        $b.Status | Should -Be 'Complete'
        $b.Database | Should -BeExactly $RichDb
        $b.Encrypted | Should -BeTrue
        $b.KeyId | Should -Not -BeNullOrEmpty
        $b.Compression | Should -Be 'zstd'
        (Get-Content (Join-Path $b.Path 'manifest.json') -Raw | ConvertFrom-Json).compressionLevel | Should -Be 3
        $b.TableCount | Should -Be $RichStats.TableCount
        $b.TotalRows | Should -Be $RichStats.TotalRows
        $b.RawSizeBytes | Should -BeGreaterThan 2MB -Because 'the dump holds a 2 MB large object'
        $b.SizeBytes | Should -BeGreaterThan 0
        $b.Path | Should -Exist
        $b.Server | Should -Be "$($Server.Host):$($Server.Port)"

        $target = 'Ziel "rich" restored'
        $r = Restore-PgBackup -InputObject $b -TargetDatabase $target @Conn @key -Confirm:$false -ErrorAction Stop
        $r.BackupId | Should -Be $b.Id
        $r.TargetDatabase | Should -BeExactly $target
        $r.Tables | Should -Be $RichStats.TableCount
        $r.Rows | Should -Be $RichStats.TotalRows
        Assert-PgbtSameContent -Server $Server -Source $RichDb -Restored $target
        (Get-PgbtScalar $Server $target "SELECT last_value FROM inventory.ticket_seq") | Should -Be '987654321'
        (Get-PgbtScalar $Server $target "SELECT md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY length(lo_get(oid)) DESC LIMIT 1") |
            Should -Be (Get-PgbtScalar $Server $RichDb "SELECT md5(string_agg(decode(md5(g::text), 'hex'), ''::bytea ORDER BY g)) FROM generate_series(1, 131072) g")
    }

    It 'restores the rich database identically with -Jobs <Jobs> (each pg_restore fed only its own data blocks)' -ForEach @(
        @{ Jobs = 2 }
        @{ Jobs = 4 }
    ) {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $b = Invoke-PgBackup -Repository $repo.Path -Database $RichDb @Conn @key -ErrorAction Stop
        $target = "rich restored with $Jobs jobs"
        $r = Restore-PgBackup -InputObject $b -TargetDatabase $target -Jobs $Jobs @Conn @key -Confirm:$false -ErrorAction Stop
        $r.Jobs | Should -Be $Jobs
        $r.Rows | Should -Be $RichStats.TotalRows
        Assert-PgbtSameContent -Server $Server -Source $RichDb -Restored $target
    }

    It 'keeps a logical backup to -MaxRateKB (pg_dump waits for it) and still round-trips' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $rate = 512
        $b = Invoke-PgBackup -Repository $repo.Path -Database $RichDb -MaxRateKB $rate @Conn @key -ErrorAction Stop
        $b.Status | Should -Be 'Complete'
        $atRate = $b.RawSizeBytes / ($rate * 1KB)
        $atRate | Should -BeGreaterThan 3 -Because 'the dump must be big enough for the cap to show'
        # One second of credit at the start (the schema), and the last block read ahead of the pace.
        $b.Duration.TotalSeconds | Should -BeGreaterOrEqual ($atRate - 1.5) -Because "$($b.RawSizeBytes) bytes at $rate kB/s take $([math]::Round($atRate, 1)) s"
        $target = 'restored at a capped rate'
        $null = Restore-PgBackup -InputObject $b -TargetDatabase $target @Conn @key -Confirm:$false -ErrorAction Stop
        Assert-PgbtSameContent -Server $Server -Source $RichDb -Restored $target
    }

    It 'round-trips with -Compression Gzip' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $b = Invoke-PgBackup -Repository $repo.Path -Database $RichDb -Compression Gzip @Conn @key -ErrorAction Stop
        $b.Status | Should -Be 'Complete'
        $b.Compression | Should -Be 'gzip'
        $b.TableCount | Should -Be $RichStats.TableCount
        $b.TotalRows | Should -Be $RichStats.TotalRows
        $target = 'restored gzip'
        $null = Restore-PgBackup -InputObject $b -TargetDatabase $target @Conn @key -Confirm:$false -ErrorAction Stop
        Assert-PgbtSameContent -Server $Server -Source $RichDb -Restored $target
    }

    It 'round-trips with -Compression None into a -NoEncryption repository, storing the plain pg_dump archive' {
        $repo = New-PgbtRepository -Root $Root -Kind None
        $b = Invoke-PgBackup -Repository $repo.Path -Database $LightDb -Compression None @Conn -ErrorAction Stop
        $b.Status | Should -Be 'Complete'
        $b.Encrypted | Should -BeFalse
        $b.KeyId | Should -BeNullOrEmpty
        $b.Compression | Should -Be 'none'
        $b.TableCount | Should -Be $LightStats.TableCount
        $b.TotalRows | Should -Be $LightStats.TotalRows
        $dumpFiles = @(Get-ChildItem -LiteralPath $b.Path -File | Where-Object Name -like 'database.pgdump*')
        $dumpFiles.Count | Should -Be 1
        $dumpFiles[0].Name | Should -Be 'database.pgdump'
        $head = [byte[]]::new(5)
        $fs = [System.IO.File]::OpenRead($dumpFiles[0].FullName)
        try { $null = $fs.Read($head, 0, 5) } finally { $fs.Dispose() }
        [System.Text.Encoding]::ASCII.GetString($head) | Should -Be 'PGDMP' -Because 'uncompressed, unencrypted storage is pg_dump''s own archive'
        $dumpFiles[0].Length | Should -Be $b.RawSizeBytes

        $target = 'restored plain'
        $null = Restore-PgBackup -InputObject $b -TargetDatabase $target @Conn -Confirm:$false -ErrorAction Stop
        Assert-PgbtSameContent -Server $Server -Source $LightDb -Restored $target
    }

    It 'round-trips through a passphrase repository' {
        $repo = New-PgbtRepository -Root $Root -Kind Passphrase
        $key = $repo.KeyArgs
        $b = Invoke-PgBackup -Repository $repo.Path -Database $LightDb @Conn @key -ErrorAction Stop
        $b.Status | Should -Be 'Complete'
        $b.Encrypted | Should -BeTrue
        $b.TotalRows | Should -Be $LightStats.TotalRows
        $target = 'restored passphrase'
        $null = Restore-PgBackup -InputObject $b -TargetDatabase $target @Conn @key -Confirm:$false -ErrorAction Stop
        Assert-PgbtSameContent -Server $Server -Source $LightDb -Restored $target
    }

    It 'round-trips in a pwsh that loads the portable build (PGBACKUPTOOLS_PORTABLE_ASSEMBLIES=1), the one pwsh 7.4 and 7.5 use' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $target = 'restored portable'
        $script = {
            param($ModulePath, $Repository, $KeyFile, $Database, $Target, $PgHost, $Port, $User)
            $ErrorActionPreference = 'Stop'
            Import-Module $ModulePath
            $cred = [pscredential]::new($User, (ConvertTo-SecureString $env:PGBT_TEST_PASSWORD -AsPlainText -Force))
            $conn = @{ Host = $PgHost; Port = $Port; Credential = $cred }
            $b = Invoke-PgBackup -Repository $Repository -Database $Database -KeyFile $KeyFile @conn
            $null = Restore-PgBackup -InputObject $b -TargetDatabase $Target -KeyFile $KeyFile @conn -Confirm:$false
            [PgBackupTools.Backup].Assembly.Location
        }
        [string[]] $pwshArgs = if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { @((Join-Path $PSHOME 'pwsh.dll')) } else { @() }
        $env:PGBACKUPTOOLS_PORTABLE_ASSEMBLIES = '1'
        $env:PGBT_TEST_PASSWORD = $Server.Password
        try {
            $out = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $script -args (Get-PgbtModulePath), $repo.Path, $repo.KeyFile, $LightDb, $target, $Server.Host, $Server.Port, $Server.User 2>&1
            $code = $LASTEXITCODE
        } finally {
            Remove-Item Env:PGBACKUPTOOLS_PORTABLE_ASSEMBLIES, Env:PGBT_TEST_PASSWORD -ErrorAction Ignore
        }
        $code | Should -Be 0 -Because ($out -join "`n")
        "$(@($out)[-1])" | Should -Be (Join-Path (Split-Path (Get-PgbtModulePath)) 'Dependencies/PgBackupTools.Engine.dll')
        Assert-PgbtSameContent -Server $Server -Source $LightDb -Restored $target
    }
}

Describe 'Secrets' {
    BeforeAll {
        $script:Password = $Server.Password
        $script:PasswordBytes = [System.Text.Encoding]::UTF8.GetBytes($Password)
        # The password as it would appear escaped in a pgpass file or a libpq connection string.
        $script:PassFileForm = $Password.Replace('\', '\\').Replace(':', '\:')
        $script:FindBytes = {
            param([byte[]] $Haystack, [byte[]] $Needle)
            # Latin-1 maps each byte to one char, so an ordinal substring search is a byte search.
            $latin1 = [System.Text.Encoding]::Latin1
            $latin1.GetString($Haystack).Contains($latin1.GetString($Needle), [StringComparison]::Ordinal)
        }
    }

    It 'uses a password with quotes, spaces, a backslash and non-ASCII letters and never writes it anywhere (<Kind>)' -ForEach @(
        @{ Kind = 'KeyFile'; Compression = 'Zstd' }
        @{ Kind = 'None'; Compression = 'None' }
    ) {
        $Password | Should -Match "[`"' ]" -Because 'the fixture password must contain quotes and spaces'
        $Password | Should -Match '[^\x00-\x7F]'
        $repo = New-PgbtRepository -Root $Root -Kind $Kind
        $key = $repo.KeyArgs
        $logDir = Join-Path $TestDrive "logs-$Kind"
        $null = New-Item -ItemType Directory -Path $logDir
        $logPath = Join-Path $logDir 'backup.log'

        $verbose = Invoke-PgBackup -Repository $repo.Path -Database $LightDb -Compression $Compression -LogPath $logPath -Tag secret-test @Conn @key -Verbose -ErrorAction Stop 4>&1
        $b = @($verbose | Where-Object { $_.PSObject.TypeNames -contains 'PgBackupTools.Backup' })
        $messages = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $b.Count | Should -Be 1
        $b[0].Status | Should -Be 'Complete'
        $messages.Count | Should -BeGreaterThan 0

        $json = $b[0] | ConvertTo-Json -Depth 5
        $json | Should -Not -BeLike "*$([WildcardPattern]::Escape($Password))*"
        ($messages -join "`n").Contains($Password) | Should -BeFalse -Because 'verbose output must not contain the password'
        ($messages -join "`n").Contains($PassFileForm) | Should -BeFalse

        $logs = @(Get-ChildItem -LiteralPath $logDir -File)
        $logs.Count | Should -BeGreaterThan 0 -Because '-LogPath should produce a log file'
        foreach ($log in $logs) {
            $bytes = [System.IO.File]::ReadAllBytes($log.FullName)
            $bytes.Length | Should -BeGreaterThan 0
            & $FindBytes $bytes $PasswordBytes | Should -BeFalse -Because "$($log.Name) must not contain the password"
            & $FindBytes $bytes ([System.Text.Encoding]::UTF8.GetBytes($PassFileForm)) | Should -BeFalse
        }

        $files = @(Get-ChildItem -LiteralPath $repo.Path -Recurse -File -Force)
        $files.Count | Should -BeGreaterThan 3
        foreach ($f in $files) {
            $bytes = [System.IO.File]::ReadAllBytes($f.FullName)
            & $FindBytes $bytes $PasswordBytes | Should -BeFalse -Because "repository file $($f.FullName) must not contain the password"
            & $FindBytes $bytes ([System.Text.Encoding]::UTF8.GetBytes($PassFileForm)) | Should -BeFalse
        }
        if ($Kind -eq 'None') {
            # Guard: the unencrypted dump really is readable, so the search above means something.
            $dump = Get-ChildItem -LiteralPath $b[0].Path -File -Filter 'database.pgdump'
            & $FindBytes ([System.IO.File]::ReadAllBytes($dump.FullName)) ([System.Text.Encoding]::UTF8.GetBytes('Grüße Nr. 7')) | Should -BeTrue
        }
    }

    It 'leaves no passfile, list file or PGPASSWORD behind (backup, and restore with -Jobs 2)' {
        # A private TMPDIR for this test only, so files of other processes cannot interfere.
        $tmp = Join-Path $TestDrive 'private-tmp'
        $null = New-Item -ItemType Directory -Path $tmp
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $saved = $env:TMPDIR
        $env:TMPDIR = $tmp
        try {
            [System.IO.Path]::GetTempPath().TrimEnd('/') | Should -Be $tmp.TrimEnd('/')
            $b = Invoke-PgBackup -Repository $repo.Path -Database $LightDb @Conn @key -ErrorAction Stop
            $null = Restore-PgBackup -InputObject $b -TargetDatabase 'tmp check' -Jobs 2 @Conn @key -Confirm:$false -ErrorAction Stop
        } finally {
            $env:TMPDIR = $saved
        }
        $env:PGPASSWORD | Should -BeNullOrEmpty
        $env:PGPASSFILE | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath $tmp -Recurse -Force | ForEach-Object FullName) | Should -BeNullOrEmpty -Because 'temporary passfiles and spool files must be deleted after the run'
    }
}

Describe 'Get-PgBackup' {
    BeforeAll {
        $script:ListRepo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $ListRepo.KeyArgs
        $script:DbA = 'list a'
        $script:DbB = 'list b'
        New-PgbtDatabase $Server $DbA 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, ''a'' || g FROM generate_series(1, 10) g;'
        New-PgbtDatabase $Server $DbB 'CREATE TABLE u (id int); INSERT INTO u VALUES (1), (2);'
        $script:Taken = @(
            Invoke-PgBackup -Repository $ListRepo.Path -Database $DbA -Tag nightly @Conn @key -ErrorAction Stop
            Invoke-PgBackup -Repository $ListRepo.Path -Database $DbB -Tag weekly, monthly @Conn @key -ErrorAction Stop
        )
        # The newest backup of A holds different content, so restoring "the latest" is checkable.
        $null = Invoke-PgbtSql $Server $DbA 'INSERT INTO t VALUES (11, ''newest'')'
        $script:Taken += Invoke-PgBackup -Repository $ListRepo.Path -Database $DbA -Tag weekly @Conn @key -ErrorAction Stop
    }

    It 'lists every backup, newest first' {
        $key = $ListRepo.KeyArgs
        $all = @(Get-PgBackup -Repository $ListRepo.Path @key -ErrorAction Stop)
        $all.Count | Should -Be 3
        $all.Id | Should -Be @($Taken[2].Id, $Taken[1].Id, $Taken[0].Id)
        $all | ForEach-Object { $_.Status | Should -Be 'Complete' }
    }

    It 'lists without a key too (manifests are readable)' {
        $all = @(Get-PgBackup -Repository $ListRepo.Path -ErrorAction Stop)
        $all.Id | Should -Be @($Taken[2].Id, $Taken[1].Id, $Taken[0].Id)
    }

    It '-Latest gives one backup per database, the newest' {
        $key = $ListRepo.KeyArgs
        $latest = @(Get-PgBackup -Repository $ListRepo.Path -Latest @key -ErrorAction Stop)
        $latest.Count | Should -Be 2
        ($latest | Where-Object Database -eq $DbA).Id | Should -Be $Taken[2].Id
        ($latest | Where-Object Database -eq $DbB).Id | Should -Be $Taken[1].Id
    }

    It '-Database filters, with wildcards' {
        $key = $ListRepo.KeyArgs
        @(Get-PgBackup -Repository $ListRepo.Path -Database $DbA @key).Id | Should -Be @($Taken[2].Id, $Taken[0].Id)
        @(Get-PgBackup -Repository $ListRepo.Path -Database $DbB @key).Id | Should -Be @($Taken[1].Id)
        @(Get-PgBackup -Repository $ListRepo.Path -Database 'list *' @key).Count | Should -Be 3
        @(Get-PgBackup -Repository $ListRepo.Path -Database 'nope' @key).Count | Should -Be 0
    }

    It '-Tag filters' {
        $key = $ListRepo.KeyArgs
        @(Get-PgBackup -Repository $ListRepo.Path -Tag weekly @key).Id | Should -Be @($Taken[2].Id, $Taken[1].Id)
        @(Get-PgBackup -Repository $ListRepo.Path -Tag nightly @key).Id | Should -Be @($Taken[0].Id)
        @(Get-PgBackup -Repository $ListRepo.Path -Tag monthly @key).Id | Should -Be @($Taken[1].Id)
        @(Get-PgBackup -Repository $ListRepo.Path -Tag none-such @key).Count | Should -Be 0
        $Taken[1].Tags | Should -Be @('weekly', 'monthly')
    }

    It '-Id selects one backup' {
        $key = $ListRepo.KeyArgs
        $one = @(Get-PgBackup -Repository $ListRepo.Path -Id $Taken[1].Id @key)
        $one.Count | Should -Be 1
        $one[0].Database | Should -Be $DbB
        $one[0].TotalRows | Should -Be 2
    }

    It 'pipes Get-PgBackup -Latest into Restore-PgBackup' {
        $key = $ListRepo.KeyArgs
        $target = 'list a piped'
        $r = Get-PgBackup -Repository $ListRepo.Path -Database $DbA -Latest @key | Restore-PgBackup -TargetDatabase $target @Conn @key -Confirm:$false -ErrorAction Stop
        @($r).Count | Should -Be 1
        $r.BackupId | Should -Be $Taken[2].Id
        (Get-PgbtScalar $Server $target 'SELECT count(*) || '':'' || max(v) FILTER (WHERE id = 11) FROM t') | Should -Be '11:newest'
        Assert-PgbtSameContent -Server $Server -Source $DbA -Restored $target
    }
}
