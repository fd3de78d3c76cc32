@{
    Synopsis    = 'Sends an alert by e-mail, Slack, Microsoft Teams, Telegram or a JSON webhook, without repeating it needlessly.'
    Description = @'
Send-PgBackupNotification sends one alert (severity, title, text and facts) through every configured channel at once and returns one PgBackupTools.NotificationResult per channel: Sent, Suppressed or Failed.

Channels come from a JSON config file (-NotificationConfig, schema in docs/notifications.md; any value may be "env:NAME" to read a secret from an environment variable) or from the inline parameters.

De-duplication: the same alert (same -Key and severity) is not resent within the repeat window (6 hours by default); a change of severity is sent at once; an OK after a problem is sent once as "Recovered: <title>"; an OK with no earlier problem is not sent. The state is kept in <config>.state.json next to the config file (mode 0600), or in -StatePath with inline parameters; inline parameters without -StatePath send every time. -Force sends regardless.

A channel that cannot deliver (refused connection, HTTP error, timeout) gives a Failed result and a warning starting with NotificationFailed; the cmdlet does not throw, so a failed notification never hides or changes the result of the job it reports on. Messages never contain bot tokens, webhook paths or passwords.
'@
    Parameters  = @{
        Title              = 'Short title of the alert; the subject becomes "[SEVERITY] PgBackupTools: <title>".'
        Text               = 'Plain-text body of the alert.'
        Severity           = @{ Description = 'OK, Warning, Critical or Unknown. OK is only sent as a recovery after a problem (or with -Force).'; Default = 'Warning' }
        Fact               = 'Name/value pairs listed in the alert, e.g. @{ Database = ''shop''; ''Backup age'' = ''26 h'' }. Use [ordered] to keep their order.'
        Key                = @{ Description = 'Identifies "the same alert" for de-duplication, e.g. health:<repository id>.'; Default = 'notify:<title>' }
        Force              = 'Send even if the same alert was sent within the repeat window, or it is an OK with nothing to recover from.'
        NotificationConfig = 'Path of a JSON notification config file (see docs/notifications.md). De-duplication state is kept next to it.'
        SmtpServer         = 'Host name of the SMTP server to send e-mail through. Needs -From and -To.'
        SmtpPort           = @{ Description = 'TCP port of the SMTP server.'; Default = '465 with SslOnConnect, 25 with None, otherwise 587' }
        SmtpTls            = @{ Description = 'TLS mode: None, StartTls, SslOnConnect or Auto (TLS on connect for port 465, STARTTLS when offered otherwise).'; Default = 'Auto' }
        SmtpCredential     = 'User name and password for the SMTP server, if it requires a login.'
        From               = 'Sender address of the e-mail.'
        To                 = 'Recipient addresses of the e-mail.'
        SlackWebhookUri    = 'Slack incoming webhook URL. It is a secret: it is never shown in results or logs.'
        TeamsWebhookUri    = 'Microsoft Teams webhook URL (Workflows); receives an Adaptive Card. It is never shown in results or logs.'
        TelegramBotToken   = 'Telegram bot token, as a SecureString. Needs -TelegramChatId. It is never shown in results or logs.'
        TelegramChatId     = 'Telegram chat id to send to (e.g. -1001234567890 for a group).'
        TelegramBaseUri    = @{ Description = 'Base address of the Telegram Bot API, for a proxy or a local Bot API server.'; Default = 'https://api.telegram.org' }
        WebhookUri         = 'URL of any HTTP endpoint that receives the alert as JSON (POST).'
        WebhookSecret      = 'Secret for the HMAC-SHA256 signature of the webhook body, sent as X-PgBackupTools-Signature: sha256=<hex>.'
        StatePath          = 'With inline parameters: file that keeps the de-duplication state. Without it, every call sends.'
        TimeoutSeconds     = @{ Description = 'With inline parameters: how long each channel may take to deliver.'; Default = '15' }
        LogPath            = 'Path of a log file for schedulers, rolled daily. A path ending in .json or .clef gets compact JSON (CLEF) events; anything else plain text.'
    }
    Examples    = @(
        @{
            Code    = "Send-PgBackupNotification -NotificationConfig /etc/pgbackup/notify.json -Severity Critical -Title 'Backup of shop failed' -Text `$err[0].Exception.Message -Fact ([ordered]@{ Database = 'shop'; Host = 'db01' }) -Key 'backup:shop'"
            Remarks = 'Sends a critical alert through every channel of the config file; the same alert is not resent for 6 hours.'
        }
        @{
            Code    = "`$token = Get-Secret TelegramBot`nSend-PgBackupNotification -Title 'Restore test passed' -Severity OK -Force -TelegramBotToken `$token -TelegramChatId -1001234567890"
            Remarks = 'Sends an informational message to a Telegram group; -Force because an OK alert is otherwise only sent as a recovery.'
        }
        @{
            Code    = "Send-PgBackupNotification -Title 'Disk almost full' -SmtpServer mail.example.org -SmtpTls StartTls -SmtpCredential `$cred -From pgbackup@example.org -To ops@example.org, dba@example.org | Where-Object Status -eq Failed"
            Remarks = 'Sends an e-mail with STARTTLS and a login, and shows the channels that failed.'
        }
    )
    Outputs     = @{ 'PgBackupTools.NotificationResult' = 'One per channel: Channel, Status (Sent, Suppressed, Failed), Kind (New, Repeat, Recovery, Suppressed), Detail, Duration, AlertKey, Title, Severity.' }
    Links       = @('Invoke-PgBackup', 'Test-PgBackup')
}
