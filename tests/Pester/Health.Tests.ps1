# Get-PgBackupHealth against a real repository: a healthy state, then the monitoring failure simulation (the
# server stops, Invoke-PgBackup fails, its run record makes health Critical), a missing repository, and the
# Prometheus textfile.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root
    $script:Repo = New-PgbtRepository -Root $Root -Kind KeyFile
    $script:Key = $Repo.KeyArgs
    New-PgbtDatabase $Server 'watched' 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 1000);'
    $script:Backup = Invoke-PgBackup -Repository $Repo.Path -Database 'watched' @Conn @Key -ErrorAction Stop
    $script:CheckOf = { param($Report, [string] $Name) @($Report.Checks | Where-Object Name -eq $Name)[0] }
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Get-PgBackupHealth' {
    It 'reports a fresh, successful but unverified backup as Warning, and OK once verified' {
        $h = Get-PgBackupHealth -Repository $Repo.Path @Key
        (& $CheckOf $h 'backup age').Status | Should -Be 'OK'
        (& $CheckOf $h 'last run').Status | Should -Be 'OK'
        (& $CheckOf $h 'verification').Status | Should -Be 'Warning'
        $h.Status | Should -Be 'Warning'
        $h.ExitCode | Should -Be 1

        $null = $Backup | Test-PgBackup @Key -ErrorAction Stop
        $h = Get-PgBackupHealth -Repository $Repo.Path @Key -WarningFreeSpace 0 -CriticalFreeSpace 0
        (& $CheckOf $h 'verification').Status | Should -Be 'OK'
        $h.Status | Should -Be 'OK'
        $h.ExitCode | Should -Be 0
        $h.LastBackup | Should -Be $Backup.EndTime
    }

    It 'reads the real free space of the repository volume' {
        $h = Get-PgBackupHealth -Repository $Repo.Path @Key
        $expected = [System.IO.DriveInfo]::new($Repo.Path).AvailableFreeSpace
        [math]::Abs($h.FreeSpaceBytes - $expected) | Should -BeLessThan 100MB
        $tooMuch = Get-PgBackupHealth -Repository $Repo.Path @Key -WarningFreeSpace ($expected * 4) -CriticalFreeSpace ($expected * 2)
        (& $CheckOf $tooMuch 'free space').Status | Should -Be 'Critical'
    }

    It 'turns Warning when the newest backup is older than -WarningAge' {
        Start-Sleep -Milliseconds 1500
        $h = Get-PgBackupHealth -Repository $Repo.Path @Key -WarningAge ([TimeSpan]::FromSeconds(1)) -WarningFreeSpace 0 -CriticalFreeSpace 0
        (& $CheckOf $h 'backup age').Status | Should -Be 'Warning'
    }

    It 'is Critical with a message, not an exception, for a missing or empty repository' {
        $missing = Get-PgBackupHealth -Repository (Join-Path $Root 'no such repo') -ErrorAction Stop
        $missing.Status | Should -Be 'Critical'
        (& $CheckOf $missing 'repository').Message | Should -Match 'RepositoryNotFound'

        $empty = New-PgbtRepository -Root $Root -Kind None
        $h = Get-PgBackupHealth -Repository $empty.Path -ErrorAction Stop
        $h.Status | Should -Be 'Critical'
        (& $CheckOf $h 'backup age').Message | Should -Match 'no backup'
    }

    It 'writes a Prometheus textfile' {
        $prom = Join-Path $TestDrive 'pgbackup.prom'
        $null = Get-PgBackupHealth -Repository $Repo.Path @Key -PrometheusFile $prom
        $text = Get-Content -Raw $prom
        $text | Should -Match '(?m)^pgbackup_last_success_timestamp_seconds\{repository="[^"]+",database="watched"\} \d+$'
        $text | Should -Match '(?m)^pgbackup_last_run_success\{repository="[^"]+",database="watched"\} 1$'
        $text | Should -Match '(?m)^# TYPE pgbackup_health_status gauge$'
    }
}

Describe 'Monitoring failure simulation' {
    BeforeAll {
        $script:Listener = New-PgbtRecordingListener
        $script:AlertConfig = Join-Path $TestDrive 'alerts.json'
        @{ webhook = @{ uri = "http://127.0.0.1:$($Listener.Port)/alerts" } } | ConvertTo-Json | Set-Content -LiteralPath $AlertConfig
    }

    AfterAll {
        $Listener.Dispose()
    }

    It 'a stopped server makes the backup fail clearly, leaves a run record, and turns health Critical' {
        Stop-PgbtTestServer $Server
        $b = Invoke-PgBackup -Repository $Repo.Path -Database 'watched' @Conn @Key -Notify -NotificationConfig $AlertConfig -ErrorVariable err -ErrorAction SilentlyContinue
        $b | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'ServerUnreachable'
        $sent = @($Listener.Requests.ToArray())
        $sent.Count | Should -Be 1 -Because 'the failed backup itself raises an alert'
        ($sent[0].Text | ConvertFrom-Json).title | Should -Match "Backup of watched on .* failed"
        ($sent[0].Text | ConvertFrom-Json).severity | Should -Be 'Critical'
        @(Get-ChildItem -LiteralPath (Join-Path $Repo.Path 'runs') -Filter '*.json').Count | Should -Be 2 -Because 'every run leaves a record: the good one and this failure'

        $h = Get-PgBackupHealth -Repository $Repo.Path @Key -WarningFreeSpace 0 -CriticalFreeSpace 0
        $last = & $CheckOf $h 'last run'
        $last.Status | Should -Be 'Critical'
        $last.Message | Should -Match 'ServerUnreachable'
        $h.Status | Should -Be 'Critical'
        $h.ExitCode | Should -Be 2
        (& $CheckOf $h 'backup age').Status | Should -Be 'OK' -Because 'the good backup is still young: the two checks say different things'
    }

    It 'sends one Critical alert for it, does not resend it, and a broken channel is only a warning' {
        $h = Get-PgBackupHealth -Repository $Repo.Path @Key -WarningFreeSpace 0 -CriticalFreeSpace 0 -Notify -NotificationConfig $AlertConfig -ErrorAction Stop
        $h.Status | Should -Be 'Critical'
        $requests = @($Listener.Requests.ToArray())
        $requests.Count | Should -Be 2 -Because 'the backup alert came first, then this health alert'
        $alert = $requests[1].Text | ConvertFrom-Json
        $alert.severity | Should -Be 'Critical'
        $alert.text | Should -Match 'watched: last run: The last backup run'
        $alert.text | Should -Match 'ServerUnreachable'

        $null = Get-PgBackupHealth -Repository $Repo.Path @Key -WarningFreeSpace 0 -CriticalFreeSpace 0 -Notify -NotificationConfig $AlertConfig -ErrorAction Stop
        @($Listener.Requests.ToArray()).Count | Should -Be 2 -Because 'the same alert is not resent within the window'

        $broken = Join-Path $TestDrive 'broken.json'
        @{ webhook = @{ uri = "http://127.0.0.1:$(Get-PgbtFreePort)/nobody" } } | ConvertTo-Json | Set-Content -LiteralPath $broken
        $h2 = Get-PgBackupHealth -Repository $Repo.Path @Key -Notify -NotificationConfig $broken -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        $h2.Status | Should -Be 'Critical' -Because 'a failing alert channel never changes the report'
        @($warnings | Where-Object { "$_" -like 'NotificationFailed:*' }).Count | Should -Be 1
    }
}
