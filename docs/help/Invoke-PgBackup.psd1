@{
    Synopsis    = 'Backs up a PostgreSQL database into a repository.'
    Description = @'
Invoke-PgBackup runs pg_dump against the database and streams its output through compression (zstd by default) and, for an encrypted repository, AES-256-GCM encryption straight into the repository. Nothing unencrypted is written to disk. Exact per-table row counts are counted from the dump stream itself (so they match the dump's snapshot at no extra cost to the server), and roles and tablespaces (pg_dumpall --globals-only) are stored with the backup. When everything has been written and fsynced, the manifest (sizes, SHA-256 checksums, versions, tags) is written and the backup folder is renamed into place in one step. A failed or cancelled (Ctrl+C) backup kills pg_dump and removes its partial files, so it is never listed; a run killed so hard that it could not clean up is shown only by Get-PgBackup -IncludeIncomplete, as Incomplete.

Each database is locked while it is backed up: a second backup of the same database fails with ErrorId RepositoryLocked (or waits up to -LockTimeout). Failures are non-terminating errors with stable ErrorIds (for example ServerUnreachable, AuthenticationFailed, DatabaseNotFound, WrongKey, RepositoryNotFound, PgToolNotFound, RepositoryDiskFull); use -ErrorAction Stop in scheduled scripts so a failure fails the task.

Connect either with -Host, -Port and -Credential, or with a full -ConnectionString. pg_dump must be installed (PostgreSQL client tools); its major version must be at least the server's.

The backup is returned as a PgBackupTools.Backup object, which can be piped to Restore-PgBackup.

With -Type Physical, Invoke-PgBackup takes a base backup of the whole cluster instead. From PostgreSQL 15 on, the server compresses it (BASE_BACKUP with server-side compression, received in-process through the libpq of the client tools): only compressed data crosses the network, it is encrypted and hashed into the repository as the server sent it, and a decompressed copy is checked on the fly, the CRC32C of every file against PostgreSQL's own backup_manifest (kept with the backup). With older servers, without libpq, or with -ClientCompression, pg_basebackup's tar stream goes through the same compression, encryption and hashing on this machine, checked the same way. The server must archive its WAL into the same repository (see Get-PgWalArchiveCommand): the backup is committed only once the WAL from its start to its stop is in the archive, so every listed physical backup can be restored, and together with the later WAL restored to any point in time (Restore-PgBackup -Type Physical -PointInTime). Before the backup starts, the server is checked: wal_level, max_wal_senders, the REPLICATION attribute of the role, archive_mode and tablespaces outside the data directory (not supported yet); each refusal says what to change.
'@
    Parameters  = @{
        Repository       = 'Path of the repository (see Initialize-PgBackupRepository).'
        Database         = 'Name of the database to back up (required for a logical backup, not allowed with -Type Physical). Several names back up each in turn; one failing does not stop the others.'
        Host             = @{ Description = 'Host name or address of the PostgreSQL server, or a Unix-socket directory.'; Default = 'localhost' }
        Port             = @{ Description = 'TCP port of the PostgreSQL server.'; Default = '5432' }
        Credential       = 'User name and password for the server. Without it the usual libpq defaults apply (current user, PGPASSWORD, ~/.pgpass).'
        ConnectionString = 'A full connection string (key=value form, as accepted by Npgsql/libpq) instead of -Host, -Port and -Credential.'
        Compression      = @{ Description = 'Compression algorithm for the dump stream.'; Default = 'Zstd' }
        CompressionLevel = @{ Description = 'Compression level for the chosen algorithm (zstd 1-19, gzip 1-9). Higher is smaller and slower. Physical backups default to zstd level 1: database pages compress about as well as at 3 for a third less CPU beside the server.'; Default = 'zstd 3 (logical), zstd 1 (physical), gzip 6' }
        Passphrase       = 'Passphrase of an encrypted repository.'
        KeyFile          = 'Path of the key file of an encrypted repository.'
        Tag              = 'One or more labels stored with the backup, for example "nightly" or "before-migration". Get-PgBackup -Tag filters on them.'
        LogPath          = 'Path of a log file for schedulers, rolled daily. A path ending in .json or .clef gets compact JSON (CLEF) events; anything else plain text. Every line carries the run''s RunId. The environment variable PGBACKUPTOOLS_LOG sets a default.'
        Notify           = 'Send an alert through the channels of -NotificationConfig when the backup fails (Critical), and a recovery message when it works again after a failure. A channel that fails is a warning (NotificationFailed) and never changes the backup''s own result.'
        NotificationConfig = 'Path of the JSON file that configures the alert channels (see Send-PgBackupNotification). Required with -Notify.'
        Type             = @{ Description = 'Logical (pg_dump of each -Database) or Physical (pg_basebackup of the whole cluster, for point-in-time recovery).'; Default = 'Logical' }
        FastCheckpoint   = 'Physical backups: start with an immediate checkpoint instead of a spread one. The backup starts at once, at the cost of an I/O burst on the server; without it the start can take up to checkpoint_timeout (5 minutes by default).'
        IncludeWal       = 'Physical backups: put the WAL needed to make the backup consistent into the backup itself (as pg_basebackup -X fetch), so it restores without the WAL archive. Point-in-time recovery beyond the backup still needs the archive.'
        ClientCompression = 'Physical backups: compress on this machine (pg_basebackup, then the same compression, encryption and checks) instead of on the server. Spares the server the compression CPU (at most one core while the backup runs) when the network to it is fast; without it the server compresses whenever it can.'
        MaxRateKB        = 'Caps the backup''s pace, in kB/s, to keep its cost to a busy server low. Logical backups: pg_dump''s output is read at most this fast, and pg_dump (with the server''s COPY behind it) waits for it; the cap is on the uncompressed dump, so a 10 GB database at 10240 takes at least 17 minutes. Physical backups: the rate at which the server sends the backup (MAX_RATE of BASE_BACKUP, pg_basebackup --max-rate); when the server compresses (the default from PostgreSQL 15 on) that is the compressed stream, so the server reads its files several times faster than this; with -ClientCompression it caps the read rate itself.'
        WalTimeout       = @{ Description = 'Physical backups: how long to wait after the base backup for its WAL to arrive in the repository''s archive. When it does not arrive the backup is not kept (ErrorId WalNotArchived).'; Default = '5 minutes' }
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
            Code    = "Invoke-PgBackup -Repository /backups/prod -Type Physical -Host db1 -Credential `$cred -KeyFile /etc/pgbackup/prod.key -FastCheckpoint"
            Remarks = 'Takes a base backup of the whole cluster on db1, which archives its WAL into the same repository (see Get-PgWalArchiveCommand). PostgreSQL 15 and later compress it themselves, so only compressed data crosses the network.'
        }
        @{
            Code    = "Invoke-PgBackup -Repository /backups/prod -Type Physical -Host db1 -Credential `$cred -KeyFile /etc/pgbackup/prod.key -ClientCompression -MaxRateKB 102400"
            Remarks = 'Takes the base backup with pg_basebackup and compresses it on this machine, reading at most 100 MB/s: spares a busy server the compression and part of its I/O, at the cost of sending the data uncompressed.'
        }
        @{
            Code    = 'Invoke-PgBackup -Repository ./repo -Database shop -Compression Gzip -CompressionLevel 9 -KeyFile ./demo.key | Restore-PgBackup -TargetDatabase shop_copy -KeyFile ./demo.key -Confirm:$false'
            Remarks = 'Backs up with gzip level 9 and restores the new backup into another database straight away.'
        }
    )
    Outputs     = @{ 'PgBackupTools.Backup' = 'The completed backup.' }
    Notes       = 'By default Invoke-PgBackup makes a logical backup (pg_dump); -Type Physical makes a base backup. Roles and tablespaces (globals) are stored when the connected user may read them; see Restore-PgBackup -IncludeGlobals.'
    Links       = @('Get-PgBackup', 'Restore-PgBackup', 'Initialize-PgBackupRepository', 'Get-PgWalArchiveCommand')
}
