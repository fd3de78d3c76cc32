# Invoke-PgBackup failures: each has its own ErrorId and leaves no backup behind; a pg_dump killed mid-stream, a
# stopped pipeline (Ctrl+C) and two concurrent runs leave the repository usable. Run through
# tests/Pester/Invoke-PesterSuite.ps1 (PGBT_MODULE_PATH).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-PgbtModulePath
    Import-Module $ModulePath -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root

    $script:SmallDb = 'small db'
    New-PgbtDatabase $Server $SmallDb 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g;'

    # Starts Invoke-PgBackup in another runspace of this process; returns the PowerShell and its IAsyncResult.
    $script:StartBackground = {
        param([string] $Repository, [string] $Database, [hashtable] $KeyArgs, [hashtable] $Extra = @{})
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($ModulePath, $Repository, $Database, $HostName, $Port, $User, $Password, $KeyArgs, $Extra)
            Import-Module $ModulePath
            $cred = [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
            Invoke-PgBackup -Repository $Repository -Database $Database -Host $HostName -Port $Port -Credential $cred @KeyArgs @Extra
        }).AddParameters(@{
            ModulePath = $ModulePath; Repository = $Repository; Database = $Database; HostName = $Server.Host; Port = $Server.Port
            User = $Server.User; Password = $Server.Password; KeyArgs = $KeyArgs; Extra = $Extra
        })
        [pscustomobject]@{ PowerShell = $ps; Async = $ps.BeginInvoke() }
    }
    $script:WaitBackground = {
        param($Run, [int] $TimeoutSeconds = 120)
        if (-not $Run.Async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSeconds))) { throw "The background backup did not finish within $TimeoutSeconds s." }
        $out = @($Run.PowerShell.EndInvoke($Run.Async))
        [pscustomobject]@{ Output = $out; Errors = @($Run.PowerShell.Streams.Error) }
    }
    # A checksum of the big table, to compare a restore without dumping hundreds of MB.
    $script:BigChecksum = 'SELECT count(*) || '':'' || sum(id) || '':'' || md5(string_agg(md5(payload), '''' ORDER BY id)) FROM big'
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Invoke-PgBackup failures leave nothing behind' {
    It 'WrongKey: another key file' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $other = Join-Path $Root "other-$([guid]::NewGuid().ToString('N')).key"
        $null = New-PgBackupKeyFile -Path $other
        $out = Invoke-PgBackup -Repository $repo.Path -Database $SmallDb @Conn -KeyFile $other -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'WrongKey'
        Assert-PgbtNoBackup $repo
    }

    It 'WrongKeyKind: a passphrase for a key-file repository' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $null = Invoke-PgBackup -Repository $repo.Path -Database $SmallDb @Conn -Passphrase (ConvertTo-SecureString 'x y z' -AsPlainText -Force) -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'WrongKeyKind'
        Assert-PgbtNoBackup $repo
    }

    It 'RepositoryKeyRequired: no key for an encrypted repository' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $null = Invoke-PgBackup -Repository $repo.Path -Database $SmallDb @Conn -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'RepositoryKeyRequired'
        Assert-PgbtNoBackup $repo
    }

    It 'RepositoryNotFound: the repository folder does not exist (and is not created)' {
        $missing = Join-Path $Root 'does-not-exist'
        $null = Invoke-PgBackup -Repository $missing -Database $SmallDb @Conn -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'RepositoryNotFound'
        $missing | Should -Not -Exist
    }

    It 'RepositoryNotInitialized: the folder is not a repository (and is left as it was)' {
        $folder = Join-Path $Root 'just-a-folder'
        $null = New-Item -ItemType Directory -Path $folder
        Set-Content -LiteralPath (Join-Path $folder 'notes.txt') -Value 'hello'
        $null = Invoke-PgBackup -Repository $folder -Database $SmallDb @Conn -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'RepositoryNotInitialized'
        @(Get-ChildItem -LiteralPath $folder -Force -Recurse | ForEach-Object Name) | Should -Be @('notes.txt')
    }

    It 'ServerUnreachable: nothing listens on the port' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $closedPort = $listener.LocalEndpoint.Port; $listener.Stop()
        $null = Invoke-PgBackup -Repository $repo.Path -Database $SmallDb -Host $Server.Host -Port $closedPort -Credential (New-PgbtCredential $Server) @key -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'ServerUnreachable'
        $err[0].Exception.Message | Should -Match "$closedPort"
        Assert-PgbtNoBackup $repo
    }

    It 'AuthenticationFailed: wrong password, and no password in the error' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $wrong = 'wr0ng "pässwörd" with spaces'
        $cred = New-PgbtCredential $Server -Password $wrong
        $null = Invoke-PgBackup -Repository $repo.Path -Database $SmallDb -Host $Server.Host -Port $Server.Port -Credential $cred @key -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'AuthenticationFailed'
        $text = ($err | Out-String) + $err[0].Exception.ToString() + ($err[0].ErrorDetails | Out-String) + ($err[0].TargetObject | Out-String)
        $text.Contains($wrong) | Should -BeFalse -Because 'the error must not show the password that was tried'
        $text.Contains($Server.Password) | Should -BeFalse
        Assert-PgbtNoBackup $repo
    }

    It 'DatabaseNotFound: the database does not exist' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $null = Invoke-PgBackup -Repository $repo.Path -Database 'no such db' @Conn @key -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'DatabaseNotFound'
        $err[0].Exception.Message | Should -BeLike '*no such db*'
        Assert-PgbtNoBackup $repo
    }

    It 'one missing database among several fails alone' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $out = @(Invoke-PgBackup -Repository $repo.Path -Database 'no such db', $SmallDb @Conn @key -ErrorAction SilentlyContinue -ErrorVariable err)
        Assert-PgbtErrorId $err 'DatabaseNotFound'
        @($err).Count | Should -Be 1
        $out.Count | Should -Be 1
        $out[0].Database | Should -Be $SmallDb
        @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key).Id | Should -Be @($out[0].Id)
    }
}

Describe 'Invoke-PgBackup parameter combinations' {
    It 'DatabaseRequired: a logical backup without -Database is refused (no prompt), and nothing is written' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $null = Invoke-PgBackup -Repository $repo.Path @Conn @key -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'DatabaseRequired'
        Assert-PgbtNoBackup $repo
    }

    It 'DatabaseNotForPhysical: -Type Physical with -Database is refused, and nothing is written' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $null = Invoke-PgBackup -Repository $repo.Path -Type Physical -Database $SmallDb @Conn @key -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'DatabaseNotForPhysical'
        Assert-PgbtNoBackup $repo
    }
}

Describe 'Interrupted and concurrent backups' {
    BeforeAll {
        # Big enough that pg_dump streams for a few seconds (about 200 MB of table data).
        $script:BigDb = 'pgbt_big_kill'
        New-PgbtDatabase $Server $BigDb 'CREATE UNLOGGED TABLE big AS SELECT g AS id, repeat(md5(g::text), 20) AS payload FROM generate_series(1, 300000) g; ALTER TABLE big ADD PRIMARY KEY (id);'
        $script:BigSum = Get-PgbtScalar $Server $BigDb $BigChecksum
    }

    AfterEach {
        # Never leave a pg_dump of ours running into the next test.
        foreach ($id in Get-PgDumpProcessIds $BigDb) { try { [System.Diagnostics.Process]::GetProcessById($id).Kill() } catch { } }
    }

    It 'pg_dump killed mid-stream: the backup fails, nothing is listed, the repository keeps working' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $run = & $StartBackground $repo.Path $BigDb $key
        try {
            $pids = @(Wait-PgbtCondition -TimeoutSeconds 60 -Condition { Get-PgDumpProcessIds $BigDb })
            $pids.Count | Should -BeGreaterThan 0 -Because 'pg_dump should be running for the database'
            # Let it stream some data first.
            $null = Wait-PgbtCondition -TimeoutSeconds 5 -Condition {
                @(Get-ChildItem -LiteralPath (Join-Path $repo.Path 'backups') -Recurse -File -Force -Filter 'database.pgdump*' -ErrorAction SilentlyContinue | Where-Object Length -gt 1MB).Count -gt 0
            }
            foreach ($id in $pids) { & kill -9 $id }
            $result = & $WaitBackground $run
        } finally {
            $run.PowerShell.Dispose()
        }
        $result.Output | Should -BeNullOrEmpty
        $result.Errors.Count | Should -BeGreaterThan 0
        Write-Host "    pg_dump killed -> ErrorId: $($result.Errors[0].FullyQualifiedErrorId) / $($result.Errors[0].Exception.Message)"
        Assert-PgbtErrorId $result.Errors 'PgToolFailed'
        $result.Errors[0].Exception.Message | Should -Not -BeLike "*$([WildcardPattern]::Escape($Server.Password))*"
        Assert-PgbtNoBackup $repo

        # The repository still works: the same database backs up (its lock is free) and restores.
        $b = Invoke-PgBackup -Repository $repo.Path -Database $BigDb @Conn @key -ErrorAction Stop
        $b.Status | Should -Be 'Complete'
        $b.TotalRows | Should -Be 300000
        @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key).Id | Should -Be @($b.Id)
        $null = Restore-PgBackup -InputObject $b -TargetDatabase 'big after kill' @Conn @key -Confirm:$false -ErrorAction Stop
        Get-PgbtScalar $Server 'big after kill' $BigChecksum | Should -Be $BigSum
        Remove-PgbtDatabase $Server 'big after kill'
    }

    It 'a stopped pipeline (Ctrl+C) kills pg_dump, lists nothing and frees the lock' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $run = & $StartBackground $repo.Path $BigDb $key
        try {
            $pids = @(Wait-PgbtCondition -TimeoutSeconds 60 -Condition { Get-PgDumpProcessIds $BigDb })
            $pids.Count | Should -BeGreaterThan 0 -Because 'pg_dump should be running for the database'
            $listedWhileRunning = @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key -ErrorAction SilentlyContinue)
            $listedByDefault = @(Get-PgBackup -Repository $repo.Path @key -ErrorAction SilentlyContinue)
            # Modes of what a running backup has written so far (checked by the next test).
            $backupsDir = Join-Path $repo.Path 'backups'
            $script:InProgressModes = @(
                Get-ChildItem -LiteralPath $backupsDir -Recurse -Force -ErrorAction SilentlyContinue |
                    ForEach-Object { [pscustomobject]@{ Path = $_.FullName.Substring($backupsDir.Length); IsDir = $_.PSIsContainer; Mode = (Get-PgbtFileMode $_.FullName) } }
            )
            $run.PowerShell.Stop()
            $leftAfterStop = @(Get-PgDumpProcessIds $BigDb)
            $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally {
            $run.PowerShell.Dispose()
        }
        $leftAfterStop | Should -BeNullOrEmpty -Because 'stopping the cmdlet must kill its pg_dump'
        Wait-PgbtCondition -TimeoutSeconds 10 -Condition { @(Get-PgDumpProcessIds $BigDb).Count -eq 0 } | Should -BeTrue
        Assert-PgbtNoBackup $repo

        # The lock is free right away: no -LockTimeout.
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $b = Invoke-PgBackup -Repository $repo.Path -Database $BigDb @Conn @key -ErrorAction Stop
        $b.Status | Should -Be 'Complete'
        @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key).Id | Should -Be @($b.Id)

        # While it ran, the backup showed up as in progress only with -IncludeIncomplete.
        $listedByDefault | Should -BeNullOrEmpty
        $listedWhileRunning.Count | Should -Be 1
        $listedWhileRunning[0].Status | Should -Be 'InProgress'
    }

    It 'a stopped physical backup (Ctrl+C) ends the backup on the server, lists nothing and frees the lock' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($ModulePath, $Repository, $HostName, $Port, $User, $Password, $KeyArgs)
            Import-Module $ModulePath
            $cred = [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
            # Throttled so that it is still streaming when it is stopped.
            Invoke-PgBackup -Repository $Repository -Type Physical -IncludeWal -FastCheckpoint -MaxRateKB 256 -Host $HostName -Port $Port -Credential $cred @KeyArgs
        }).AddParameters(@{ ModulePath = $ModulePath; Repository = $repo.Path; HostName = $Server.Host; Port = $Server.Port; User = $Server.User; Password = $Server.Password; KeyArgs = $key })
        $null = $ps.BeginInvoke()
        try {
            $streaming = Wait-PgbtCondition -TimeoutSeconds 60 -Condition {
                (Get-PgbtScalar $Server -Sql "SELECT count(*) FROM pg_stat_progress_basebackup WHERE phase = 'streaming database files'") -eq '1'
            }
            $streaming | Should -BeTrue -Because 'the base backup should be streaming when it is stopped'
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally {
            $ps.Dispose()
        }
        Wait-PgbtCondition -TimeoutSeconds 20 -Condition { (Get-PgbtScalar $Server -Sql 'SELECT count(*) FROM pg_stat_progress_basebackup') -eq '0' } |
            Should -BeTrue -Because 'the server must stop sending a backup nobody receives'
        Assert-PgbtNoBackup $repo

        $b = Invoke-PgBackup -Repository $repo.Path -Type Physical -IncludeWal -FastCheckpoint @Conn @key -ErrorAction Stop
        $b.Status | Should -Be 'Complete'
        @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key).Id | Should -Be @($b.Id)
    }

    It 'a running backup writes its files 0600 and folders 0700' {
        if (-not (Test-Path variable:script:InProgressModes)) { Set-ItResult -Skipped -Because 'the Ctrl+C test did not observe a running backup'; return }
        @($InProgressModes | Where-Object { -not $_.IsDir }).Count | Should -BeGreaterThan 0 -Because 'the running backup should have written files'
        $wrong = @($InProgressModes | Where-Object { $_.Mode -ne $(if ($_.IsDir) { '700' } else { '600' }) } | ForEach-Object { "$($_.Mode) $($_.Path)" })
        $wrong | Should -BeNullOrEmpty
    }

    It 'two concurrent backups of one database: the second fails with RepositoryLocked, the first is the only backup and restores' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $run = & $StartBackground $repo.Path $BigDb $key
        try {
            $pids = @(Wait-PgbtCondition -TimeoutSeconds 60 -Condition { Get-PgDumpProcessIds $BigDb })
            $pids.Count | Should -BeGreaterThan 0
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $second = Invoke-PgBackup -Repository $repo.Path -Database $BigDb @Conn @key -ErrorAction SilentlyContinue -ErrorVariable err
            $sw.Stop()
            $firstStillRunning = -not $run.Async.IsCompleted
            $result = & $WaitBackground $run
        } finally {
            $run.PowerShell.Dispose()
        }
        $firstStillRunning | Should -BeTrue -Because 'the test needs the two runs to overlap'
        $second | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'RepositoryLocked'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'without -LockTimeout the second run does not wait'
        $result.Errors | Should -BeNullOrEmpty
        $result.Output.Count | Should -Be 1
        $first = $result.Output[0]
        $first.Status | Should -Be 'Complete'

        $listed = @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key -ErrorAction Stop)
        $listed.Count | Should -Be 1
        $listed[0].Id | Should -Be $first.Id
        $listed[0].Status | Should -Be 'Complete'
        $null = Restore-PgBackup -InputObject $listed[0] -TargetDatabase 'big concurrent' @Conn @key -Confirm:$false -ErrorAction Stop
        Get-PgbtScalar $Server 'big concurrent' $BigChecksum | Should -Be $BigSum
        Remove-PgbtDatabase $Server 'big concurrent'
    }

    It 'with -LockTimeout the second backup waits for the first and both complete' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $run = & $StartBackground $repo.Path $BigDb $key
        try {
            $pids = @(Wait-PgbtCondition -TimeoutSeconds 60 -Condition { Get-PgDumpProcessIds $BigDb })
            $pids.Count | Should -BeGreaterThan 0
            $second = Invoke-PgBackup -Repository $repo.Path -Database $BigDb -LockTimeout ([TimeSpan]::FromMinutes(2)) @Conn @key -ErrorAction Stop
            $result = & $WaitBackground $run
        } finally {
            $run.PowerShell.Dispose()
        }
        $result.Errors | Should -BeNullOrEmpty
        $first = $result.Output[0]
        $first.Status | Should -Be 'Complete'
        $second.Status | Should -Be 'Complete'
        $second.StartTime | Should -BeGreaterOrEqual $first.EndTime -Because 'the second run starts only after the first released the lock'
        @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key).Id | Should -Be @($second.Id, $first.Id)
    }
}
