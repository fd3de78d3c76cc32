# WAL streaming through Start-PgWalStream: a real server streams into an encrypted repository through a replication
# slot with pg_receivewal; segments arrive within seconds of pg_switch_wal() and come back byte for byte; stopping
# is clean (process gone, password file gone); a restart from a PowerShell that then exits resumes without a gap
# and survives that PowerShell; the password is never on a command line. Run through tests/Pester/Invoke-PesterSuite.ps1.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../tools/TestPostgres.psm1') -Force
    $script:ModulePath = Get-PgbtModulePath
    Import-Module $ModulePath -Force
    $script:Server = Start-PgbtTestServer

    # initdb's pg_hba.conf allows replication connections from 127.0.0.1; the stream runs as the current user.
    $hba = Get-Content -LiteralPath (Join-Path $Server.DataDir 'pg_hba.conf') | Where-Object { $_ -match '^\s*host\s+replication\s+all\s+127\.0\.0\.1/32' }
    if (-not $hba) { throw 'pg_hba.conf of the test server has no replication line for 127.0.0.1.' }

    # Not in $TestDrive: Pester empties it after each Describe, under the running stream's feet.
    $script:Root = Join-Path $Server.RootDir 'stream-test'
    $null = New-Item -ItemType Directory -Path $Root
    $script:Repo = New-PgbtRepository -Root $Root
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Slot = 'pester_stream'
    $script:Spool = Join-Path $Repo.Path "wal-spool/$Slot"
    $script:Tool = Join-Path (Split-Path $ModulePath) "bin/$([System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)/pgbt-wal"
    $script:SystemId = Get-PgbtScalar $Server -Sql 'SELECT system_identifier FROM pg_control_system()'
    $null = Invoke-PgbtSql $Server -Sql 'CREATE TABLE filler (id int, v text)'

    $script:Switch = {
        # Writes some WAL and closes the segment; returns the name of the segment that was completed.
        $null = Invoke-PgbtSql $Server -Sql "INSERT INTO filler SELECT g, md5(g::text) FROM generate_series(1, 5000) g"
        Get-PgbtScalar $Server -Sql 'SELECT pg_walfile_name(pg_switch_wal())'
    }
    $script:StoredNames = {
        $dir = Join-Path $Repo.Path "wal/$SystemId"
        if (-not (Test-Path -LiteralPath $dir)) { return @() }
        # Complete segments only (<name>.<tag>...), not the partial copies of the segment being filled.
        @(Get-ChildItem -LiteralPath $dir -Recurse -File | Where-Object Name -match '^[0-9A-F]{24}\.[0-9a-f]{16}\.' | ForEach-Object { $_.Name.Substring(0, 24) } | Sort-Object -Unique)
    }
    $script:WaitStored = {
        param([string] $Name, [double] $TimeoutSeconds = 10)
        Wait-PgbtCondition -TimeoutSeconds $TimeoutSeconds -IntervalMilliseconds 20 -Condition { (& $StoredNames) -contains $Name }
    }
    $script:SegmentNumber = {
        param([string] $Name)
        [Convert]::ToUInt64($Name.Substring(8, 8), 16) * 256 + [Convert]::ToUInt64($Name.Substring(16, 8), 16)
    }
    $script:CommandLine = {
        param([int] $ProcessId)
        try { [System.IO.File]::ReadAllText("/proc/$ProcessId/cmdline") } catch { '' }
    }
    $script:Environ = {
        param([int] $ProcessId)
        try { [System.IO.File]::ReadAllText("/proc/$ProcessId/environ") } catch { '' }
    }
    $script:Status = { Get-Content -LiteralPath (Join-Path $Spool 'status.json') -Raw | ConvertFrom-Json }
}

AfterAll {
    if ($script:Repo) {
        Get-PgWalStream -Repository $Repo.Path -ErrorAction SilentlyContinue | Where-Object Running |
            Stop-PgWalStream -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
    }
    Stop-PgbtTestServer $Server
}

Describe 'Start-PgWalStream' {
    It 'starts a detached pgbt-wal stream on the slot, creating it, and reports it running' {
        $script:Stream = Start-PgWalStream -Repository $Repo.Path -KeyFile $Repo.KeyFile @Conn -Slot $Slot -ErrorAction Stop
        $Stream.PSObject.TypeNames[0] | Should -Be 'PgBackupTools.WalStream'
        $Stream.Running | Should -BeTrue
        $Stream.State | Should -Be 'running'
        $Stream.SpoolPath | Should -Be $Spool
        (& $CommandLine $Stream.ProcessId) | Should -Match 'pgbt-wal'
        Get-PgbtScalar $Server -Sql "SELECT active FROM pg_replication_slots WHERE slot_name = '$Slot'" | Should -Be 't'
        Get-PgbtFileMode (Join-Path $Spool 'pgpass') | Should -Be '600'
        (Get-PgWalStream -Repository $Repo.Path).Running | Should -BeTrue
    }

    It 'knows the stream by process id and start time, so a process that reuses the id is not taken for it' {
        $pidFile = Join-Path $Spool 'pgbt-wal.pid'
        $original = [System.IO.File]::ReadAllText($pidFile)
        $original | Should -Match "^$($Stream.ProcessId) \d{4}-\d\d-\d\dT\S+\n$"
        (& $Status).processStarted | Should -Not -BeNullOrEmpty
        $started = [DateTimeOffset]::Parse(($original.Trim() -split ' ')[1], [cultureinfo]::InvariantCulture)
        try {
            [System.IO.File]::WriteAllText($pidFile, "$($Stream.ProcessId) $($started.AddHours(-1).ToString('O', [cultureinfo]::InvariantCulture))`n")
            (Get-PgWalStream -Repository $Repo.Path -Slot $Slot).Running | Should -BeFalse -Because 'a process that started at another time is another process, whatever its id and name'
        } finally {
            [System.IO.File]::WriteAllText($pidFile, $original)
        }
        (Get-PgWalStream -Repository $Repo.Path -Slot $Slot).Running | Should -BeTrue
    }

    It 'refuses a role that may not replicate, before starting anything' {
        $null = Invoke-PgbtSql $Server -Sql "CREATE ROLE norepl LOGIN PASSWORD 'norepl-secret'"
        $cred = [pscredential]::new('norepl', (ConvertTo-SecureString 'norepl-secret' -AsPlainText -Force))
        $null = Start-PgWalStream -Repository $Repo.Path -KeyFile $Repo.KeyFile -Host $Server.Host -Port $Server.Port -Credential $cred -Slot other_slot -ErrorVariable err -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $err 'WalStreamingNotPermitted'
        Test-Path -LiteralPath (Join-Path $Repo.Path 'wal-spool/other_slot/pgpass') | Should -BeFalse
    }

    It 'refuses a second stream on the same slot' {
        $null = Start-PgWalStream -Repository $Repo.Path -KeyFile $Repo.KeyFile @Conn -Slot $Slot -ErrorVariable err -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $err 'WalStreamRunning'
    }

    It 'stores a completed segment within seconds of pg_switch_wal, and archive-get returns it byte for byte' {
        $latencies = foreach ($i in 1..3) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $name = & $Switch
            $watch.Restart()
            & $WaitStored $name | Should -BeTrue -Because "$name should be in the repository within 10 s"
            $watch.Elapsed.TotalMilliseconds
            $script:LastName = $name
        }
        Write-Host ("pg_switch_wal -> segment in repository: {0} ms" -f (($latencies | ForEach-Object { [math]::Round($_) }) -join ', '))

        $copy = Join-Path $TestDrive 'fetched'
        & $Tool archive-get --repository $Repo.Path --key-file $Repo.KeyFile --system-id $SystemId $LastName $copy 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        $original = Join-Path $Server.DataDir "pg_wal/$LastName"
        Test-Path -LiteralPath $original | Should -BeTrue -Because 'the slot keeps the segment on the server'
        (Get-FileHash $copy).Hash | Should -Be (Get-FileHash $original).Hash

        $status = & $Status
        $status.lastSegment | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path $Spool "$LastName.partial") | Should -BeFalse
        @(Get-ChildItem -LiteralPath $Spool -Filter '*.partial').Count | Should -BeLessOrEqual 1
    }

    It 'ships the segment being filled within seconds, without waiting for it to complete' {
        $marker = 'pitr-marker-' + [guid]::NewGuid().ToString('N')
        $null = Invoke-PgbtSql $Server -Sql "INSERT INTO filler VALUES (-1, '$marker')"
        $current = Get-PgbtScalar $Server -Sql 'SELECT pg_walfile_name(pg_current_wal_insert_lsn())'
        $copy = Join-Path $TestDrive 'partial-fetched'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $found = Wait-PgbtCondition -TimeoutSeconds 20 -IntervalMilliseconds 250 -Condition {
            & $Tool archive-get --repository $Repo.Path --key-file $Repo.KeyFile --system-id $SystemId $current $copy 2>&1 | Out-Null
            $LASTEXITCODE -eq 0 -and [System.Text.Encoding]::ASCII.GetString([System.IO.File]::ReadAllBytes($copy)).Contains($marker)
        }
        $found | Should -BeTrue -Because "the insert into $current should reach the repository as a partial copy within 20 s"
        Write-Host ("insert -> in the repository's partial copy of {0}: {1:N1} s" -f $current, $watch.Elapsed.TotalSeconds)
        (& $StoredNames) | Should -Not -Contain $current -Because 'the segment itself is not complete yet'
    }

    It 'never puts the password on the command line of pgbt-wal or pg_receivewal' {
        $status = & $Status
        $status.receiverProcessId | Should -BeGreaterThan 0
        foreach ($id in @($Stream.ProcessId, $status.receiverProcessId)) {
            $cmd = & $CommandLine $id
            $cmd | Should -Not -BeNullOrEmpty
            $cmd.Contains($Server.Password) | Should -BeFalse
            $env = & $Environ $id
            $env | Should -Match 'PGPASSFILE='
            $env.Contains($Server.Password) | Should -BeFalse
        }
        (& $CommandLine $status.receiverProcessId) | Should -Match 'pg_receivewal'
    }
}

Describe 'A passphrase repository' {
    It 'streams with the passphrase in the environment only, next to another stream on its own slot' {
        $pass = New-PgbtRepository -Root $Root -Kind Passphrase
        $plain = [System.Net.NetworkCredential]::new('', $pass.Passphrase).Password
        $second = Start-PgWalStream -Repository $pass.Path -Passphrase $pass.Passphrase @Conn -Slot pester_second -ErrorAction Stop
        try {
            $second.Running | Should -BeTrue
            (& $CommandLine $second.ProcessId).Contains($plain) | Should -BeFalse
            $name = & $Switch
            $dir = Join-Path $pass.Path "wal/$SystemId"
            Wait-PgbtCondition -TimeoutSeconds 10 -Condition {
                (Test-Path -LiteralPath $dir) -and @(Get-ChildItem -LiteralPath $dir -Recurse -File -Filter "$name.*").Count -gt 0
            } | Should -BeTrue
            & $WaitStored $name | Should -BeTrue -Because 'the first stream keeps running on its own slot'
        } finally {
            $stopped = Stop-PgWalStream -Repository $pass.Path -Slot pester_second -Confirm:$false
        }
        $stopped.Running | Should -BeFalse
        $null = Invoke-PgbtSql $Server -Sql "SELECT pg_drop_replication_slot('pester_second')"
    }
}

Describe 'Stop-PgWalStream' {
    It 'stops the process and pg_receivewal, and removes the password file' {
        $receiver = (& $Status).receiverProcessId
        $final = Stop-PgWalStream -Repository $Repo.Path -Slot $Slot -Confirm:$false -ErrorAction Stop
        $final.Running | Should -BeFalse
        $final.State | Should -Be 'stopped'
        $final.LastSegment | Should -Not -BeNullOrEmpty
        (& $CommandLine $Stream.ProcessId) | Should -BeNullOrEmpty -Because 'pgbt-wal must have exited'
        (& $CommandLine $receiver) | Should -BeNullOrEmpty -Because 'pg_receivewal must have exited'
        Test-Path -LiteralPath (Join-Path $Spool 'pgpass') | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $Spool 'pgbt-wal.pid') | Should -BeFalse
        Get-PgbtScalar $Server -Sql "SELECT active FROM pg_replication_slots WHERE slot_name = '$Slot'" | Should -Be 'f'
    }

    It 'warns when nothing runs' {
        $null = Stop-PgWalStream -Repository $Repo.Path -Slot $Slot -Confirm:$false -WarningVariable warn -WarningAction SilentlyContinue
        $warn | Should -Not -BeNullOrEmpty
    }

    It 'says RepositoryNotFound for a mistyped -Repository instead of showing no streams' {
        $missing = Join-Path $Root 'no such repo'
        $out = Get-PgWalStream -Repository $missing -ErrorAction SilentlyContinue -ErrorVariable getErr
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $getErr 'RepositoryNotFound'
        $null = Stop-PgWalStream -Repository $missing -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable stopErr -WarningAction SilentlyContinue
        Assert-PgbtErrorId $stopErr 'RepositoryNotFound'
        Test-Path -LiteralPath $missing | Should -BeFalse
    }
}

Describe 'Restarting the stream' {
    It 'resumes from a PowerShell that exits, without a gap, and keeps running after it' {
        # WAL written while no stream runs: the slot keeps it on the server.
        $during = @(& $Switch; & $Switch)

        [string[]] $pwshArgs = @(Get-PgbtPwshLeadingArguments)
        $script = @'
$ErrorActionPreference = 'Stop'
Import-Module $env:PGBT_T_MODULE
$cred = [pscredential]::new($env:PGBT_T_USER, (ConvertTo-SecureString $env:PGBT_T_PASSWORD -AsPlainText -Force))
$s = Start-PgWalStream -Repository $env:PGBT_T_REPO -KeyFile $env:PGBT_T_KEY -Host 127.0.0.1 -Port $env:PGBT_T_PORT -Credential $cred -Slot $env:PGBT_T_SLOT
$s.ProcessId
'@
        $env:PGBT_T_MODULE = $ModulePath; $env:PGBT_T_USER = $Server.User; $env:PGBT_T_PASSWORD = $Server.Password
        $env:PGBT_T_REPO = $Repo.Path; $env:PGBT_T_KEY = $Repo.KeyFile; $env:PGBT_T_PORT = "$($Server.Port)"; $env:PGBT_T_SLOT = $Slot
        try {
            $out = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $script 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "the child PowerShell said: $out"
        } finally {
            Remove-Item env:PGBT_T_MODULE, env:PGBT_T_USER, env:PGBT_T_PASSWORD, env:PGBT_T_REPO, env:PGBT_T_KEY, env:PGBT_T_PORT, env:PGBT_T_SLOT -ErrorAction SilentlyContinue
        }
        $childPid = [int](@($out)[-1].ToString().Trim())

        Start-Sleep -Seconds 1
        $stream = Get-PgWalStream -Repository $Repo.Path -Slot $Slot
        $stream.Running | Should -BeTrue -Because 'the stream must survive the PowerShell that started it'
        $stream.ProcessId | Should -Be $childPid

        foreach ($name in $during) { & $WaitStored $name -TimeoutSeconds 15 | Should -BeTrue -Because "$name was written while stopped" }
        $after = & $Switch
        & $WaitStored $after | Should -BeTrue

        $numbers = @(& $StoredNames | Where-Object { $_.StartsWith('00000001') } | ForEach-Object { [int](& $SegmentNumber $_) } | Sort-Object)
        $numbers.Count | Should -BeGreaterThan 5
        $expected = @($numbers[0]..$numbers[-1])
        $numbers.Count | Should -Be $expected.Count -Because "the stored segments must have no gap (stored: $($numbers -join ','))"
    }

    It 'shows a killed stream as failed, and a new start stops the pg_receivewal it left behind' {
        $status = & $Status
        $old = [int]$status.processId
        $oldReceiver = [int]$status.receiverProcessId
        & kill -9 $old
        Wait-PgbtCondition -TimeoutSeconds 10 -Condition { -not (& $CommandLine $old) } | Should -BeTrue
        (& $CommandLine $oldReceiver) | Should -Match 'pg_receivewal' -Because 'pg_receivewal outlives a killed pgbt-wal'
        $dead = Get-PgWalStream -Repository $Repo.Path -Slot $Slot
        $dead.Running | Should -BeFalse
        $dead.State | Should -Be 'failed'

        $again = Start-PgWalStream -Repository $Repo.Path -KeyFile $Repo.KeyFile @Conn -Slot $Slot -ErrorAction Stop
        $again.Running | Should -BeTrue
        (& $CommandLine $oldReceiver) | Should -BeNullOrEmpty -Because 'the leftover pg_receivewal held the slot'
        $name = & $Switch
        & $WaitStored $name | Should -BeTrue
    }

    It 'stops again cleanly after the restart' {
        $final = Stop-PgWalStream -Repository $Repo.Path -Slot $Slot -Confirm:$false -ErrorAction Stop
        $final.Running | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $Spool 'pgpass') | Should -BeFalse
    }

    It 'stops on the stop file alone, as it must on Windows where there are no signals, storing what completed' {
        $again = Start-PgWalStream -Repository $Repo.Path -KeyFile $Repo.KeyFile @Conn -Slot $Slot -ErrorAction Stop
        $receiver = [int](& $Status).receiverProcessId
        $name = & $Switch
        & $WaitStored $name | Should -BeTrue
        $null = New-Item -ItemType File -Path (Join-Path $Spool 'stop')
        Wait-PgbtCondition -TimeoutSeconds 20 -Condition { -not (& $CommandLine $again.ProcessId) } | Should -BeTrue -Because 'pgbt-wal polls for the stop file'
        (& $CommandLine $receiver) | Should -BeNullOrEmpty -Because 'pg_receivewal is stopped with it'
        $after = Get-PgWalStream -Repository $Repo.Path -Slot $Slot
        $after.Running | Should -BeFalse
        $after.State | Should -Be 'stopped'
        $after.LastError | Should -BeNullOrEmpty
        Get-PgbtScalar $Server -Sql "SELECT active FROM pg_replication_slots WHERE slot_name = '$Slot'" | Should -Be 'f'
        $null = Stop-PgWalStream -Repository $Repo.Path -Slot $Slot -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop
        Test-Path -LiteralPath (Join-Path $Spool 'pgpass') | Should -BeFalse
    }
}
