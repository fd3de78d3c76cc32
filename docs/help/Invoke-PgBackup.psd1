@{
    Synopsis    = 'Backs up a PostgreSQL database into a repository.'
    Description = @'
Invoke-PgBackup runs pg_dump against the database and streams its output through compression (zstd by default) and, for an encrypted repository, AES-256-GCM encryption straight into the repository. Nothing unencrypted is written to disk. Exact per-table row counts are counted from the dump stream itself (so they match the dump's snapshot at no extra cost to the server), and roles and tablespaces (pg_dumpall --globals-only) are stored with the backup. When everything has been written and fsynced, the manifest (sizes, SHA-256 checksums, versions, tags) is written and the backup folder is renamed into place in one step. A failed or cancelled (Ctrl+C) backup kills pg_dump and removes its partial files, so it is never listed; a run killed so hard that it could not clean up is shown only by Get-PgBackup -IncludeIncomplete, as Incomplete.

Each database is locked while it is backed up: a second backup of the same database fails with ErrorId RepositoryLocked (or waits up to -LockTimeout). Failures are non-terminating errors with stable ErrorIds (for example ServerUnreachable, AuthenticationFailed, DatabaseNotFound, WrongKey, RepositoryNotFound, PgToolNotFound, RepositoryDiskFull); use -ErrorAction Stop in scheduled scripts so a failure fails the task.

Connect either with -Host, -Port and -Credential, or with a full -ConnectionString. pg_dump must be installed (PostgreSQL client tools); its major version must be at least the server's.

The backup is returned as a PgBackupTools.Backup object, which can be piped to Restore-PgBackup.
'@
    Parameters  = @{
        Repository       = 'Path of the repository (see Initialize-PgBackupRepository).'
        Database         = 'Name of the database to back up. Several names back up each in turn; one failing does not stop the others.'
        Host             = @{ Description = 'Host name or address of the PostgreSQL server, or a Unix-socket directory.'; Default = 'localhost' }
        Port             = @{ Description = 'TCP port of the PostgreSQL server.'; Default = '5432' }
        Credential       = 'User name and password for the server. Without it the usual libpq defaults apply (current user, PGPASSWORD, ~/.pgpass).'
        ConnectionString = 'A full connection string (key=value form, as accepted by Npgsql/libpq) instead of -Host, -Port and -Credential.'
        Compression      = @{ Description = 'Compression algorithm for the dump stream.'; Default = 'Zstd' }
        CompressionLevel = 'Compression level for the chosen algorithm. Higher is smaller and slower; the default is the algorithm''s balanced level.'
        Passphrase       = 'Passphrase of an encrypted repository.'
        KeyFile          = 'Path of the key file of an encrypted repository.'
        Tag              = 'One or more labels stored with the backup, for example "nightly" or "before-migration". Get-PgBackup -Tag filters on them.'
        LogPath          = 'Path of a log file for schedulers, rolled daily. A path ending in .json or .clef gets compact JSON (CLEF) events; anything else plain text. Every line carries the run''s RunId. The environment variable PGBACKUPTOOLS_LOG sets a default.'
        Notify           = 'Send an alert through the channels of -NotificationConfig when the backup fails (Critical), and a recovery message when it works again after a failure. A channel that fails is a warning (NotificationFailed) and never changes the backup''s own result.'
        NotificationConfig = 'Path of the JSON file that configures the alert channels (see Send-PgBackupNotification). Required with -Notify.'
        LockTimeout      = @{ Description = 'How long to wait for another backup of the same database to finish before failing with ErrorId RepositoryLocked.'; Default = '0 (fail at once)' }
    }
    Examples    = @(
        @{
            Code    = "`$cred = Get-Credential postgres`nInvoke-PgBackup -Repository /backups/prod -Database shop -Host db1 -Credential `$cred -KeyFile ~/.pgbackup/prod.key"
            Remarks = 'Backs up the database shop from server db1 into an encrypted repository.'
        }
        @{
            Code    = "Invoke-PgBackup -Repository /backups/prod -Database shop -ConnectionString 'host=db1 user=backup sslmode=require' -KeyFile ~/.pgbackup/prod.key -Tag nightly -LogPath /var/log/pgbackup/backup.clef -ErrorAction Stop"
            Remarks = 'Backs up with a libpq connection string (the password comes from ~/.pgpass or PGPASSFILE), tags the backup as nightly and writes a CLEF JSON log; -ErrorAction Stop makes a failure fail the scheduled task.'
        }
        @{
            Code    = 'Invoke-PgBackup -Repository ./repo -Database shop -Compression Gzip -CompressionLevel 9 -KeyFile ./demo.key | Restore-PgBackup -TargetDatabase shop_copy -KeyFile ./demo.key -Confirm:$false'
            Remarks = 'Backs up with gzip level 9 and restores the new backup into another database straight away.'
        }
    )
    Outputs     = @{ 'PgBackupTools.Backup' = 'The completed backup.' }
    Notes       = 'Invoke-PgBackup makes a logical backup (pg_dump). Roles and tablespaces (globals) are stored when the connected user may read them; see Restore-PgBackup -IncludeGlobals.'
    Links       = @('Get-PgBackup', 'Restore-PgBackup', 'Initialize-PgBackupRepository')
}
