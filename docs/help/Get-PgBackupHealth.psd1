@{
    Synopsis    = 'Checks that backups are recent, that the last runs succeeded, that backups are verified, and that the repository has room.'
    Description = @'
Get-PgBackupHealth reads the repository (manifests, run records of Invoke-PgBackup, verification results of Test-PgBackup) and returns a PgBackupTools.HealthReport with one check per line:

Per database: backup age (age of the newest complete backup; warning after -WarningAge, critical after -CriticalAge or when there is none), last run (critical when the newest Invoke-PgBackup run failed or was cancelled), verification (warning when never verified, stale or not every check could run; critical when the last verification Failed), size (warning when the newest backup is below half or above twice the median of the previous seven: catches empty dumps), duration (warning when the newest backup took more than twice the recent median).

Repository-wide: readable and configuration authentic (with the key), backup folders that cannot be read, runs that died without cleaning up, and free space on the repository's volume (warning below -WarningFreeSpace, critical below -CriticalFreeSpace).

Status is the worst check; ExitCode follows the Nagios convention (0 OK, 1 Warning, 2 Critical, 3 Unknown), so `exit (Get-PgBackupHealth -Repository r).ExitCode` works in a scheduler or a monitoring agent. An empty or missing repository is Critical with a message that says so, not an exception.

With -PrometheusFile the report is also written as a node_exporter textfile (pgbackup_health_status, pgbackup_database_health_status, pgbackup_last_success_timestamp_seconds, pgbackup_last_size_bytes, pgbackup_last_duration_seconds, pgbackup_last_run_success, pgbackup_free_space_bytes, pgbackup_wal_last_archived_timestamp_seconds, pgbackup_wal_gaps), replaced atomically.

For every cluster that archives WAL into the repository (see Get-PgWalArchiveCommand) two more checks run: WAL archive age, the age of the newest archived segment, which is the measured RPO (warning 15 minutes, critical 1 hour by default; on a quiet server set archive_timeout so segments are archived at least that often), and WAL archive continuity, which is Critical when a segment is missing between the start of the oldest physical backup and the newest segment, because point-in-time recovery cannot pass a hole.
'@
    Parameters  = @{
        Repository         = 'Path of the repository to check.'
        Database           = 'Check only these databases (repository-wide checks always run).'
        WarningAge         = @{ Description = 'Backup age from which the age check is a warning.'; Default = '6 hours' }
        CriticalAge        = @{ Description = 'Backup age from which the age check is critical.'; Default = '25 hours' }
        WarningFreeSpace   = @{ Description = 'Free bytes on the repository volume below which the free-space check is a warning (PowerShell accepts 5GB).'; Default = '5GB' }
        CriticalFreeSpace  = @{ Description = 'Free bytes below which the free-space check is critical.'; Default = '1GB' }
        VerificationMaxAge = @{ Description = 'A last verification older than this is a warning.'; Default = '8 days' }
        WalWarningAge      = @{ Description = 'The newest archived WAL segment older than this is a warning: that much data would be lost now.'; Default = '15 minutes' }
        WalCriticalAge     = @{ Description = 'The newest archived WAL segment older than this is critical (the requirement is RPO under 1 hour).'; Default = '1 hour' }
        PrometheusFile     = 'Also write the report as a Prometheus node_exporter textfile to this path (atomically replaced).'
        Notify             = 'Send the report as an alert through the channels of -NotificationConfig (e-mail, Slack, Teams, Telegram, webhook). The same status is not resent within the configured window, and a recovery message goes out once when the status returns to OK. A channel that fails is a warning and never changes the report.'
        NotificationConfig = 'Path of the JSON file that configures the alert channels (see Send-PgBackupNotification and docs/notifications.md). Required with -Notify.'
        Passphrase         = 'Passphrase of an encrypted repository: with the key, manifests, run records and verification results are authenticated.'
        KeyFile            = 'Path of the key file of an encrypted repository (see -Passphrase).'
    }
    Examples    = @(
        @{
            Code    = 'Get-PgBackupHealth -Repository /backups/prod -KeyFile ~/.pgbackup/prod.key'
            Remarks = 'Shows every check, worst status first in the headline.'
        }
        @{
            Code    = "`$h = Get-PgBackupHealth -Repository /backups/prod -KeyFile /etc/pgbackup/prod.key -PrometheusFile /var/lib/node_exporter/textfile/pgbackup.prom`nexit `$h.ExitCode"
            Remarks = 'For a scheduler or Nagios-style agent: writes the Prometheus textfile and exits with 0/1/2/3.'
        }
        @{
            Code    = 'Get-PgBackupHealth -Repository /backups/prod -KeyFile /etc/pgbackup/prod.key -Notify -NotificationConfig /etc/pgbackup/alerts.json'
            Remarks = 'Every 15 minutes from cron: alerts when something is wrong, again only after the de-duplication window, and once more when all is OK again.'
        }
    )
    Outputs     = @{ 'PgBackupTools.HealthReport' = 'Repository, Status (OK, Warning, Critical, Unknown), ExitCode, Checks (Name, Database, Status, Value, Threshold, Message), CheckedAt, LastBackup, LastVerification, FreeSpaceBytes.' }
    Notes       = 'Alerts by e-mail, Slack, Teams, Telegram and webhooks: -Notify here, or Send-PgBackupNotification for your own messages.'
    Links       = @('Invoke-PgBackup', 'Test-PgBackup', 'Remove-PgBackupExpired')
}
