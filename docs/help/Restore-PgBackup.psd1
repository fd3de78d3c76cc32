@{
    Synopsis    = 'Restores a backup into a PostgreSQL database, or a physical backup with point-in-time recovery into a folder.'
    Description = @'
Restore-PgBackup reads a backup from the repository, verifies and decrypts it as it streams, and restores it with pg_restore into the target database. Every chunk is authenticated before its data is used, so a damaged or tampered backup makes the restore fail instead of producing a silently wrong database.

Choose the backup by piping a PgBackupTools.Backup object (from Get-PgBackup or Invoke-PgBackup), by -Repository with -Id, or by -Repository with -Database and -Latest.

The backup is restored into a new database under a temporary name (pgbt_restore_<random>, created from template0 with the source's encoding and locale) and renamed to -TargetDatabase only after pg_restore succeeded, so a failed or interrupted restore never leaves a half-restored database under the target name; the temporary database is dropped. If the target exists and holds objects, the cmdlet stops with ErrorId TargetDatabaseNotEmpty unless -Force is given; with -Force the old database is moved aside, the restored one takes its name, and only then is the old one dropped. Database-level settings (ALTER DATABASE ... SET) and the database's own grants are not part of a pg_dump archive and are not restored. Because a restore can replace data, the cmdlet asks for confirmation (ConfirmImpact High); use -Confirm:$false in scripts and -WhatIf to see what would happen.

With -Type Physical and -TargetPath, Restore-PgBackup restores a physical backup (Invoke-PgBackup -Type Physical) into an empty or new folder and configures point-in-time recovery. It picks the newest physical backup that became consistent before the target (or the one given by -Id), checks that the repository's WAL archive holds the WAL that backup needs, extracts it (authenticating, decrypting and checking every file's CRC32C against PostgreSQL's backup_manifest), writes recovery.signal and, in postgresql.auto.conf, restore_command (pgbt-wal archive-get, which verifies every segment), the recovery target and recovery_target_action = promote. Archiving is turned off in the restored cluster (archive_mode = off) unless -KeepArchiving, so a copy never archives into the production archive. With -Start, recovery runs at once behind a private socket (nothing can connect while it replays), the cmdlet waits for it to reach the target and reports the WAL location and the time of the last transaction reached, and the server is then started with its own configuration (on -Port when given). A missing or damaged WAL segment before the target stops recovery with ErrorId RecoveryWalUnavailable naming the segment, and a target the archived WAL does not reach (not archived yet, in the future, or a restore point made before the chosen backup ended) with ErrorId RecoveryTargetNotReached; recovery never quietly ends earlier than asked. Without -Start the folder is ready to be started by pg_ctl or a service.

Running as root, the restored files are given to the 'postgres' account and the server runs as it.
'@
    Parameters  = @{
        InputObject      = 'The backup to restore, usually from Get-PgBackup or Invoke-PgBackup through the pipeline. With -Type Physical, a physical backup to start recovery from (it must be consistent before the recovery target).'
        Repository       = 'Path of the repository that holds the backup.'
        Id               = 'Id of the backup to restore.'
        Database         = 'Name of the backed-up (source) database whose latest backup is restored; used with -Latest.'
        Latest           = 'Restores the newest completed backup of -Database.'
        TargetDatabase   = 'Name of the database to restore into. It is created by the cmdlet.'
        Host             = @{ Description = 'Host name or address of the PostgreSQL server to restore to, or a Unix-socket directory.'; Default = 'localhost' }
        Port             = @{ Description = 'TCP port of the PostgreSQL server. Physical: the port the restored cluster listens on (written to its postgresql.auto.conf).'; Default = '5432' }
        Credential       = 'User name and password for the server. The user needs the right to create databases.'
        ConnectionString = 'A full connection string (key=value form, as accepted by Npgsql/libpq) instead of -Host, -Port and -Credential.'
        Jobs             = @{ Description = 'Number of parallel pg_restore processes. With more than one, tables are loaded in parallel (balanced by size), the indexes and primary key of each table are built as soon as its data is in, while other tables still load, and foreign keys, triggers and the rest follow once every index exists; each process reads its own authenticated, decrypting stream, so no plaintext dump is written to disk.'; Default = '1' }
        IncludeGlobals   = 'Also restores roles and tablespaces stored with the backup. Existing roles are left as they are.'
        Force            = 'Replaces a target database that already holds objects. The old database is dropped only after the restored one has taken its name.'
        Schema           = 'Restore only tables of these schemas (all of them, unless -Table narrows the choice). See -Table for how existing tables are treated.'
        Table            = 'Restore only these tables, as "table" or "schema.table" (case-sensitive, as in PostgreSQL). The target database may exist. A table that is missing there is recreated with its data, indexes, constraints, defaults, triggers, owned sequences, comments and grants. A table that exists is refused unless -Force; with -Force its rows are replaced by the backup''s (its definition, indexes and constraints stay) and its owned sequences are reset. Everything runs in one transaction with triggers and foreign-key checks off (session_replication_role = replica, which needs a superuser), so no other table is touched and any error leaves the database unchanged. Views, functions and other tables that depend on the restored tables are not restored.'
        LogPath          = 'Path of a log file for schedulers, rolled daily. A path ending in .json or .clef gets compact JSON (CLEF) events; anything else plain text.'
        Type             = 'Physical restores a physical backup into -TargetPath with point-in-time recovery. Logical backups need no -Type.'
        TargetPath       = 'Physical: the empty or new folder that becomes the restored cluster''s data directory.'
        PointInTime      = 'Physical: recover up to this moment (recovery_target_time). Transactions that committed after it are not replayed.'
        TargetLsn        = 'Physical: recover up to this WAL location, written as PostgreSQL does (for example 0/5000028).'
        TargetName       = 'Physical: recover up to this restore point (created with pg_create_restore_point). The newest backup is used unless -Id names an older one; a restore point made before that backup ended cannot be reached from it (ErrorId RecoveryTargetNotReached).'
        Start            = 'Physical: run recovery now, wait until it reaches the target and report what it reached, then start the server with its own configuration.'
        KeepArchiving    = 'Physical: keep the backed-up server''s archive settings in the restored cluster. Without it archive_mode is turned off, so a restored copy never writes into the production WAL archive.'
        RecoveryTimeout  = @{ Description = 'Physical: how long -Start waits for recovery to finish before stopping it (ErrorId RecoveryTimeout).'; Default = '4 hours' }
        Passphrase       = 'Passphrase of an encrypted repository.'
        KeyFile          = 'Path of the key file of an encrypted repository.'
    }
    Examples    = @(
        @{
            Code    = "Restore-PgBackup -Repository /backups/prod -Type Physical -TargetPath /srv/pitr/shop -PointInTime '2026-12-03 09:59:00+01:00' -Port 5440 -Start -KeyFile /etc/pgbackup/prod.key -Confirm:`$false"
            Remarks = 'Point-in-time recovery: restores the cluster as it was one minute before a bad deployment at 10:00, on port 5440, next to production.'
        }
        @{
            Code    = "Restore-PgBackup -Repository /backups/prod -Database shop -Latest -TargetDatabase shop -Table 'sales.orders' -Force -Host db1 -Credential `$cred -KeyFile ~/.pgbackup/prod.key -Confirm:`$false"
            Remarks = 'Partial corruption: replaces the rows of sales.orders in the live database shop with those of the latest backup, in one transaction, touching no other table.'
        }
        @{
            Code    = "Restore-PgBackup -Repository /backups/prod -Database shop -Latest -TargetDatabase shop_restored -Host db2 -Credential (Get-Credential postgres) -KeyFile ~/.pgbackup/prod.key"
            Remarks = 'Restores the newest backup of shop into a new database shop_restored on server db2, after asking for confirmation.'
        }
        @{
            Code    = "Get-PgBackup -Repository /backups/prod -Tag before-migration -KeyFile ~/.pgbackup/prod.key |`n    Select-Object -First 1 |`n    Restore-PgBackup -TargetDatabase shop -Force -Jobs 4 -KeyFile ~/.pgbackup/prod.key -Confirm:`$false"
            Remarks = 'Replaces the database shop with the newest backup tagged before-migration, using four parallel jobs and no prompt.'
        }
        @{
            Code    = 'Restore-PgBackup -Repository /backups/prod -Id 01JD3F6Q8Z -TargetDatabase shop_test -KeyFile ~/.pgbackup/prod.key -WhatIf'
            Remarks = 'Shows which backup would be restored where, without restoring anything.'
        }
    )
    Outputs     = @{ 'PgBackupTools.RestoreResult' = 'What was restored where, how long it took, and how much data was read.' }
    Notes       = 'pg_restore (PostgreSQL client tools) must be installed; its major version must be at least that of the pg_dump that made the backup. See docs/runbooks/database-recovery.md for a full recovery procedure.'
    Links       = @('Get-PgBackup', 'Invoke-PgBackup')
}
