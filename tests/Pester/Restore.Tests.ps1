# Restore-PgBackup against a throwaway PostgreSQL: refusing and replacing existing targets, -WhatIf, -Jobs,
# the parameter sets, and key rotation. Run through tests/Pester/Invoke-PesterSuite.ps1 (PGBT_MODULE_PATH).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root

    $script:SourceDb = 'restore source'
    New-PgbtDatabase $Server $SourceDb ((Get-PgbtRichDatabaseSql -Rows 120 -NoLargeObjects) +
        "`nSELECT lo_from_bytea(0, convert_to(repeat('large object ', 5000), 'UTF8')); SELECT lo_from_bytea(0, '\x01'::bytea);")
    $script:Repo = New-PgbtRepository -Root $Root -Kind KeyFile
    $key = $Repo.KeyArgs
    $script:Backup = Invoke-PgBackup -Repository $Repo.Path -Database $SourceDb @Conn @key -ErrorAction Stop

    # Databases left by a restore: temporary (pgbt_restore_*) and set aside (pgbt_replaced_*).
    $script:GetLeftovers = { @(Get-PgbtDatabaseNames $Server | Where-Object { $_ -like 'pgbt_*' }) }
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Restore-PgBackup into an existing database' {
    BeforeEach {
        # A fresh name per test, so one test's leftovers (sessions, pooled connections) cannot touch the next.
        $script:TargetNumber = 1 + $(if (Test-Path variable:script:TargetNumber) { $script:TargetNumber } else { 0 })
        $script:Target = "existing target $TargetNumber"
        New-PgbtDatabase $Server $Target 'CREATE TABLE keep_me (id int, v text); INSERT INTO keep_me VALUES (1, ''one''), (2, ''two''), (3, ''three'');'
        $script:TargetBefore = Get-PgbtDump $Server $Target Data
    }

    It 'refuses a non-empty target without -Force and leaves it untouched' {
        $key = $Repo.KeyArgs
        $out = Restore-PgBackup -InputObject $Backup -TargetDatabase $Target @Conn @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'TargetDatabaseNotEmpty'
        (Get-PgbtScalar $Server $Target 'SELECT string_agg(id || v, '','' ORDER BY id) FROM keep_me') | Should -Be '1one,2two,3three'
        Compare-PgbtText $TargetBefore (Get-PgbtDump $Server $Target Data) | Should -BeNullOrEmpty
        (Get-PgbtScalar $Server $Target "SELECT count(*) FROM pg_namespace WHERE nspname = 'Sales Dept'") | Should -Be '0'
        & $GetLeftovers | Should -BeNullOrEmpty
    }

    It 'replaces it with -Force' {
        $key = $Repo.KeyArgs
        $r = Restore-PgBackup -InputObject $Backup -TargetDatabase $Target -Force @Conn @key -Confirm:$false -ErrorAction Stop
        $r.ReplacedExisting | Should -BeTrue
        (Get-PgbtScalar $Server $Target "SELECT count(*) FROM pg_tables WHERE tablename = 'keep_me'") | Should -Be '0'
        Assert-PgbtSameContent -Server $Server -Source $SourceDb -Restored $Target
        & $GetLeftovers | Should -BeNullOrEmpty -Because 'the replaced database and the temporary one must be gone'
    }

    It 'replaces it with -Force while a session is connected to it' {
        $key = $Repo.KeyArgs
        # A second session sits in the target; the restore has to get it out of the way.
        $psql = Start-PgbtPsqlProcess -Server $Server -Database $Target -Sql 'SELECT pg_sleep(120)'
        try {
            $connected = Wait-PgbtCondition -TimeoutSeconds 20 -Condition {
                [int](Get-PgbtScalar $Server 'postgres' "SELECT count(*) FROM pg_stat_activity WHERE datname = $(ConvertTo-PgbtLiteral $Target) AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()") -gt 0
            }
            $connected | Should -BeTrue
            $r = Restore-PgBackup -InputObject $Backup -TargetDatabase $Target -Force @Conn @key -Confirm:$false -ErrorAction Stop
            $r.ReplacedExisting | Should -BeTrue
            Assert-PgbtSameContent -Server $Server -Source $SourceDb -Restored $Target
        } finally {
            if (-not $psql.HasExited) { $psql.Kill() }
            $psql.Dispose()
        }
    }

    It 'leaves no session of its own connected to the target after refusing it' {
        $key = $Repo.KeyArgs
        $null = Restore-PgBackup -InputObject $Backup -TargetDatabase $Target @Conn @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'TargetDatabaseNotEmpty'
        $sessions = Get-PgbtScalar $Server 'postgres' "SELECT count(*) FROM pg_stat_activity WHERE datname = $(ConvertTo-PgbtLiteral $Target) AND application_name = 'PgBackupTools'"
        $sessions | Should -Be '0' -Because 'an idle connection left in the target keeps DROP DATABASE / RENAME from working for the user'
        # What a user does next: drop the database (without FORCE), then restore into the name.
        $drop = Invoke-PgbtSql -Server $Server -Sql "DROP DATABASE $(ConvertTo-PgbtIdentifier $Target)" -AllowFailure
        if ($drop) { $drop.Output | Should -BeNullOrEmpty -Because 'DROP DATABASE must not be blocked by a session of the cmdlet' }
        Test-PgbtDatabase $Server $Target | Should -BeFalse
    }

    It 'replaces the same target twice in a row in one session' {
        $key = $Repo.KeyArgs
        $r1 = Restore-PgBackup -InputObject $Backup -TargetDatabase $Target -Force @Conn @key -Confirm:$false -ErrorAction Stop
        $r1.ReplacedExisting | Should -BeTrue
        $null = Invoke-PgbtSql $Server $Target 'CREATE TABLE "Sales Dept".extra (id int)'
        $r2 = Restore-PgBackup -InputObject $Backup -TargetDatabase $Target -Force @Conn @key -Confirm:$false -ErrorAction Stop
        $r2.ReplacedExisting | Should -BeTrue
        Assert-PgbtSameContent -Server $Server -Source $SourceDb -Restored $Target
        & $GetLeftovers | Should -BeNullOrEmpty
    }

    It '-WhatIf changes nothing (with -Force)' {
        $key = $Repo.KeyArgs
        $out = Restore-PgBackup -InputObject $Backup -TargetDatabase $Target -Force @Conn @key -WhatIf -ErrorAction Stop
        $out | Should -BeNullOrEmpty
        Compare-PgbtText $TargetBefore (Get-PgbtDump $Server $Target Data) | Should -BeNullOrEmpty
        & $GetLeftovers | Should -BeNullOrEmpty
    }

    It 'restores into an existing but empty database without -Force' {
        $key = $Repo.KeyArgs
        New-PgbtDatabase $Server 'empty target'
        $r = Restore-PgBackup -InputObject $Backup -TargetDatabase 'empty target' @Conn @key -Confirm:$false -ErrorAction Stop
        $r.TargetDatabase | Should -Be 'empty target'
        Assert-PgbtSameContent -Server $Server -Source $SourceDb -Restored 'empty target'
        & $GetLeftovers | Should -BeNullOrEmpty
    }
}

Describe 'Restore-PgBackup into a new database' {
    It '-WhatIf creates nothing' {
        $key = $Repo.KeyArgs
        $before = Get-PgbtDatabaseNames $Server
        $out = Restore-PgBackup -InputObject $Backup -TargetDatabase 'whatif target' @Conn @key -WhatIf -ErrorAction Stop
        $out | Should -BeNullOrEmpty
        Test-PgbtDatabase $Server 'whatif target' | Should -BeFalse
        Get-PgbtDatabaseNames $Server | Should -Be $before
    }

    It '-Jobs 2 restores identical content' {
        $key = $Repo.KeyArgs
        $r = Restore-PgBackup -InputObject $Backup -TargetDatabase 'parallel target' -Jobs 2 @Conn @key -Confirm:$false -ErrorAction Stop
        $r.Jobs | Should -Be 2
        Assert-PgbtSameContent -Server $Server -Source $SourceDb -Restored 'parallel target'
        & $GetLeftovers | Should -BeNullOrEmpty
    }

    It 'restores by -Repository -Id' {
        $key = $Repo.KeyArgs
        $r = Restore-PgBackup -Repository $Repo.Path -Id $Backup.Id -TargetDatabase 'by id' @Conn @key -Confirm:$false -ErrorAction Stop
        $r.BackupId | Should -Be $Backup.Id
        Assert-PgbtSameContent -Server $Server -Source $SourceDb -Restored 'by id'
    }

    It 'restores the latest backup by -Repository -Database -Latest' {
        $key = $Repo.KeyArgs
        $db = 'latest source'
        New-PgbtDatabase $Server $db 'CREATE TABLE t (v text); INSERT INTO t VALUES (''first'');'
        $first = Invoke-PgBackup -Repository $Repo.Path -Database $db @Conn @key -ErrorAction Stop
        $null = Invoke-PgbtSql $Server $db 'UPDATE t SET v = ''second'''
        $second = Invoke-PgBackup -Repository $Repo.Path -Database $db @Conn @key -ErrorAction Stop
        $second.Id | Should -Not -Be $first.Id
        $r = Restore-PgBackup -Repository $Repo.Path -Database $db -Latest -TargetDatabase 'latest target' @Conn @key -Confirm:$false -ErrorAction Stop
        $r.BackupId | Should -Be $second.Id
        (Get-PgbtScalar $Server 'latest target' 'SELECT v FROM t') | Should -Be 'second'
    }

    It 'fails with AuthenticationFailed for a wrong password, names no password and creates nothing (the database is created early, while the backup is read)' {
        $key = $Repo.KeyArgs
        $before = Get-PgbtDatabaseNames $Server
        $wrong = 'wr0ng "pässwort" restore'
        $cred = New-PgbtCredential $Server -Password $wrong
        $out = Restore-PgBackup -InputObject $Backup -TargetDatabase 'never auth' -Jobs 2 -Host $Server.Host -Port $Server.Port -Credential $cred @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'AuthenticationFailed'
        ($err | Out-String).Contains($wrong) | Should -BeFalse
        Get-PgbtDatabaseNames $Server | Should -Be $before
    }

    It 'fails with BackupNotFound for an unknown id and creates nothing' {
        $key = $Repo.KeyArgs
        $before = Get-PgbtDatabaseNames $Server
        $null = Restore-PgBackup -Repository $Repo.Path -Id '20000101T000000Z-abcdef' -TargetDatabase 'never' @Conn @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'BackupNotFound'
        Get-PgbtDatabaseNames $Server | Should -Be $before
    }
}

Describe 'Set-PgBackupRepositoryKey' {
    It 'rotates a key-file repository to a passphrase; the old key stops working, old backups restore with the new one' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $oldKey = $repo.KeyArgs
        $db = 'rotation source'
        New-PgbtDatabase $Server $db 'CREATE TABLE r (id int PRIMARY KEY, v text); INSERT INTO r SELECT g, md5(g::text) FROM generate_series(1, 25) g;'
        $before = Invoke-PgBackup -Repository $repo.Path -Database $db @Conn @oldKey -ErrorAction Stop
        $newPass = ConvertTo-SecureString 'neue Passphrase mit "Quotes" & ümlauts' -AsPlainText -Force

        $info = Set-PgBackupRepositoryKey -Repository $repo.Path @oldKey -NewPassphrase $newPass -Confirm:$false -ErrorAction Stop
        $info.PSObject.TypeNames | Should -Contain 'PgBackupTools.RepositoryInfo'

        # The old key file no longer unlocks anything.
        $null = Restore-PgBackup -InputObject $before -TargetDatabase 'rotation old key' @Conn @oldKey -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err1
        @($err1).Count | Should -BeGreaterThan 0
        $err1[0].FullyQualifiedErrorId | Should -Match '^(WrongKeyKind|WrongKey),'
        Test-PgbtDatabase $Server 'rotation old key' | Should -BeFalse
        $null = Invoke-PgBackup -Repository $repo.Path -Database $db @Conn @oldKey -ErrorAction SilentlyContinue -ErrorVariable err2
        $err2[0].FullyQualifiedErrorId | Should -Match '^(WrongKeyKind|WrongKey),'

        # The new passphrase restores the backup taken before the change, and takes new ones.
        $r = Restore-PgBackup -InputObject $before -TargetDatabase 'rotation restored' @Conn -Passphrase $newPass -Confirm:$false -ErrorAction Stop
        $r.BackupId | Should -Be $before.Id
        Assert-PgbtSameContent -Server $Server -Source $db -Restored 'rotation restored'
        $after = Invoke-PgBackup -Repository $repo.Path -Database $db @Conn -Passphrase $newPass -ErrorAction Stop
        $after.Status | Should -Be 'Complete'
        @(Get-PgBackup -Repository $repo.Path -Passphrase $newPass -ErrorAction Stop).Count | Should -Be 2
    }

    It 'rotates a passphrase repository to a new key file' {
        $repo = New-PgbtRepository -Root $Root -Kind Passphrase
        $oldKey = $repo.KeyArgs
        $db = 'rotation source 2'
        New-PgbtDatabase $Server $db 'CREATE TABLE r (id int); INSERT INTO r VALUES (7);'
        $before = Invoke-PgBackup -Repository $repo.Path -Database $db @Conn @oldKey -ErrorAction Stop
        $newKeyFile = Join-Path $Root 'rotated.key'
        $null = New-PgBackupKeyFile -Path $newKeyFile
        $null = Set-PgBackupRepositoryKey -Repository $repo.Path @oldKey -NewKeyFile $newKeyFile -Confirm:$false -ErrorAction Stop

        $null = Get-PgBackup -Repository $repo.Path @oldKey -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Match '^(WrongKeyKind|WrongKey),'
        $r = Restore-PgBackup -InputObject $before -TargetDatabase 'rotation restored 2' @Conn -KeyFile $newKeyFile -Confirm:$false -ErrorAction Stop
        $r.Rows | Should -Be 1
        (Get-PgbtScalar $Server 'rotation restored 2' 'SELECT id FROM r') | Should -Be '7'
    }
}
