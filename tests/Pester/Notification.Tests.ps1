# Send-PgBackupNotification against local endpoints only: a recording HTTP listener on 127.0.0.1 (webhook, Slack,
# Telegram) and a real SMTP server (python3 -m aiosmtpd, Debian package python3-aiosmtpd). A channel that cannot
# deliver gives a Failed result and a NotificationFailed warning, never an exception.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force

    $script:Listener = New-PgbtRecordingListener
    $script:BaseUri = "http://127.0.0.1:$($Listener.Port)"

    # A real SMTP server; no aiosmtpd is a failure with instructions, not a skip.
    & /usr/bin/python3 -c 'import aiosmtpd' 2>$null
    if ($LASTEXITCODE -ne 0) { throw "The SMTP tests need the Python module aiosmtpd: apt-get install -y python3-aiosmtpd" }
    $script:SmtpPort = Get-PgbtFreePort
    $script:Maildir = Join-Path $TestDrive 'maildir'
    $psi = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/python3')
    foreach ($a in @('-m', 'aiosmtpd', '-n', '-l', "127.0.0.1:$SmtpPort", '-c', 'aiosmtpd.handlers.Mailbox', $Maildir)) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $script:Smtp = [System.Diagnostics.Process]::Start($psi)
    $listening = Wait-PgbtCondition -TimeoutSeconds 20 {
        if ($Smtp.HasExited) { throw "aiosmtpd exited: $($Smtp.StandardError.ReadToEnd())" }
        $c = [System.Net.Sockets.TcpClient]::new()
        try { $c.Connect('127.0.0.1', $SmtpPort); $true } catch { $false } finally { $c.Dispose() }
    }
    if (-not $listening) { throw "aiosmtpd did not listen on 127.0.0.1:$SmtpPort within 20 s" }

    $script:Facts = [ordered]@{ Database = 'shop'; 'Backup age' = '26 h' }
}

AfterAll {
    if ($script:Listener) { $Listener.Dispose() }
    if ($script:Smtp -and -not $Smtp.HasExited) { $Smtp.Kill($true); $null = $Smtp.WaitForExit(5000) }
}

Describe 'Send-PgBackupNotification delivers' {
    It 'posts the alert as signed JSON to a webhook' {
        $secret = ConvertTo-SecureString 'hmac secret ü' -AsPlainText -Force
        $before = $Listener.Requests.Count
        $r = Send-PgBackupNotification -Title 'Backup of shop failed' -Text 'pg_dump exited with 1' -Severity Critical -Fact $Facts `
            -WebhookUri "$BaseUri/hook" -WebhookSecret $secret -ErrorAction Stop
        $r.Status | Should -Be 'Sent'
        $r.Kind | Should -Be 'New'
        $r.PSObject.TypeNames[0] | Should -Be 'PgBackupTools.NotificationResult'
        $Listener.Requests.Count | Should -Be ($before + 1)
        $req = @($Listener.Requests)[-1]
        $req.Path | Should -Be '/hook'
        $json = $req.Text | ConvertFrom-Json
        $json.title | Should -Be 'Backup of shop failed'
        $json.severity | Should -Be 'Critical'
        $json.key | Should -Be 'notify:Backup of shop failed'
        @($json.facts.name) | Should -Be @('Database', 'Backup age')
        $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes('hmac secret ü'))
        $req.Signature | Should -BeExactly ('sha256=' + [Convert]::ToHexString($hmac.ComputeHash($req.Body)).ToLowerInvariant())
    }

    It 'sends Slack and Telegram messages in one call' {
        $token = ConvertTo-SecureString '4242:pester-bot-token' -AsPlainText -Force
        $r = @(Send-PgBackupNotification -Title 'Disk almost full' -Severity Warning -SlackWebhookUri "$BaseUri/services/T/B/X" `
                -TelegramBotToken $token -TelegramChatId '-1001' -TelegramBaseUri $BaseUri -ErrorAction Stop)
        $r.Count | Should -Be 2
        @($r.Status | Select-Object -Unique) | Should -Be @('Sent')
        ($r.Channel -join ' ') | Should -Not -Match 'pester-bot-token|/services/'
        $paths = @($Listener.Requests | ForEach-Object Path)
        $paths | Should -Contain '/services/T/B/X'
        $paths | Should -Contain '/bot4242:pester-bot-token/sendMessage'
        $tg = @($Listener.Requests | Where-Object Path -like '/bot*')[-1].Text | ConvertFrom-Json
        $tg.chat_id | Should -Be '-1001'
        $tg.text | Should -BeLike '`[WARNING`] PgBackupTools: Disk almost full*'
    }

    It 'sends an e-mail through a real SMTP server' {
        $r = Send-PgBackupNotification -Title 'Restore test failed' -Text 'Row counts differ.' -Severity Critical -Fact $Facts `
            -SmtpServer 127.0.0.1 -SmtpPort $SmtpPort -SmtpTls None -From 'pgbackup@example.org' -To 'ops@example.org', 'dba@example.org' -ErrorAction Stop
        $r.Status | Should -Be 'Sent'
        $r.Channel | Should -Be "SMTP (127.0.0.1:$SmtpPort)"
        $mail = @(Wait-PgbtCondition -TimeoutSeconds 10 { @(Get-ChildItem (Join-Path $Maildir 'new') -File -ErrorAction SilentlyContinue | Get-Content -Raw | Where-Object { $_ -match 'Restore test failed' }) })
        $mail.Count | Should -Be 1
        $mail[0] | Should -Match 'Subject: \[CRITICAL\] PgBackupTools: Restore test failed'
        $mail[0] | Should -Match 'Row counts differ\.'
        $mail[0] | Should -Match 'Backup age: 26 h'
        $mail[0] | Should -Match 'To: ops@example.org, dba@example.org'
    }
}

Describe 'Send-PgBackupNotification when a channel fails' {
    It 'returns Failed and warns, without throwing and without the token' {
        $port = Get-PgbtFreePort
        $token = ConvertTo-SecureString '777:very-secret-token' -AsPlainText -Force
        $r = Send-PgBackupNotification -Title 'Backup failed' -Severity Critical -TelegramBotToken $token -TelegramChatId 1 `
            -TelegramBaseUri "http://127.0.0.1:$port" -TimeoutSeconds 5 -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $r.Detail | Should -Match "127\.0\.0\.1:$port"
        $r.Detail | Should -Not -Match 'very-secret-token'
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike 'NotificationFailed:*'
        "$($warnings[0])" | Should -Not -Match 'very-secret-token'
    }

    It 'still delivers through the channels that work' {
        $port = Get-PgbtFreePort
        $r = @(Send-PgBackupNotification -Title 'Mixed' -SlackWebhookUri "http://127.0.0.1:$port/services/x" -WebhookUri "$BaseUri/hook" `
                -ErrorAction Stop -WarningAction SilentlyContinue)
        ($r | Where-Object Channel -like 'Slack*').Status | Should -Be 'Failed'
        ($r | Where-Object Channel -like 'Webhook*').Status | Should -Be 'Sent'
    }
}

Describe 'Send-PgBackupNotification with a config file' {
    BeforeAll {
        $script:Config = Join-Path $TestDrive 'notify.json'
        $env:PGBT_PESTER_WEBHOOK = "$BaseUri/config-hook"
        Set-Content -LiteralPath $Config -Value '{ "repeatAfterHours": 6, "webhook": { "uri": "env:PGBT_PESTER_WEBHOOK" } }'
    }

    AfterAll { Remove-Item env:PGBT_PESTER_WEBHOOK -ErrorAction SilentlyContinue }

    It 'does not resend the same alert within the window, -Force does, and OK is sent once as a recovery' {
        $common = @{ NotificationConfig = $Config; Title = 'Backups stale'; Key = 'health:pester'; ErrorAction = 'Stop' }
        (Send-PgBackupNotification @common -Severity Critical).Status | Should -Be 'Sent'
        $second = Send-PgBackupNotification @common -Severity Critical
        $second.Status | Should -Be 'Suppressed'
        $second.Detail | Should -Match 'repeated after 6 h'
        (Send-PgBackupNotification @common -Severity Critical -Force).Status | Should -Be 'Sent'
        $recovery = Send-PgBackupNotification @common -Severity OK
        $recovery.Status | Should -Be 'Sent'
        $recovery.Kind | Should -Be 'Recovery'
        $recovery.Title | Should -Be 'Recovered: Backups stale'
        (Send-PgBackupNotification @common -Severity OK).Status | Should -Be 'Suppressed'
        @($Listener.Requests | Where-Object Path -eq '/config-hook').Count | Should -Be 3
        Get-PgbtFileMode "$Config.state.json" | Should -Be '600'
    }

    It 'names a missing environment variable as NotificationConfigInvalid' {
        $bad = Join-Path $TestDrive 'bad.json'
        Set-Content -LiteralPath $bad -Value '{ "slack": { "webhookUri": "env:PGBT_PESTER_NOT_SET" } }'
        $r = Send-PgBackupNotification -NotificationConfig $bad -Title 'x' -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'NotificationConfigInvalid'
        $err[0].Exception.Message | Should -Match 'PGBT_PESTER_NOT_SET'
    }

    It 'refuses a call without any channel' {
        Send-PgBackupNotification -Title 'x' -ErrorVariable err -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $err 'NoNotificationChannel'
    }
}
