@{
    Synopsis    = 'Proves that a backup can really be restored: checksums, archive structure, or a trial restore with row counts and amcheck.'
    Description = @'
Test-PgBackup verifies a backup at one of three levels, each including the ones below it:

Checksum: every file's size and SHA-256 are checked against the authenticated manifest, and every encrypted chunk is authenticated. Streaming; nothing is decrypted to disk.

Structure: the dump is decrypted and decompressed into pg_restore --list, and the archive's table of contents is compared with the catalog recorded at backup time (tables, table data, indexes and constraints, large objects).

Restore: the backup is restored into a uniquely named scratch database (pgbt_verify_<random>) on the scratch server, the exact row count of every table is compared with the count recorded at backup time, amcheck (bt_index_check with heapallindexed) checks every B-tree index, and the scratch database is always dropped again, also after a failure or Ctrl+C. RestoreDuration is the measured restore time: the RTO of this database.

Without a scratch server the default level is Checksum; with one it is Restore. The result says which level ran. Status is Passed only when every check of the level ran and passed: a check that could not run (amcheck not installed, scratch server unreachable) makes it Skipped or Error, never Passed.

A Failed result also writes a non-terminating error with ErrorId VerificationFailed, and an Error result one with ErrorId VerificationError, so a scheduled script run with -ErrorAction Stop (or $ErrorActionPreference = 'Stop') fails its task. Every result is saved with the backup (authenticated like the manifest), so Get-PgBackup shows LastVerified and VerificationStatus.
'@
    Parameters  = @{
        InputObject             = 'The backup to verify, usually from Get-PgBackup or Invoke-PgBackup through the pipeline.'
        Repository              = 'Path of the repository that holds the backup.'
        Id                      = 'Id of the backup to verify.'
        Database                = 'With -Latest: the database whose newest complete backup is verified.'
        Latest                  = 'Verify the newest complete backup of -Database.'
        Level                   = @{ Description = 'How deep to verify: Checksum, Structure or Restore. For a physical backup: Checksum also fetches and verifies every WAL segment from the backup''s start to its stop; Structure reads the base backup back and checks every file''s CRC32C against PostgreSQL''s backup_manifest; Restore restores it into a temporary folder, recovers it to consistency on a private socket (no scratch server needed), opens every database, runs amcheck on every B-tree index, and removes everything afterwards.'; Default = 'Restore when a scratch server is given, otherwise Checksum' }
        ScratchHost             = 'Host name or address of the server to run the trial restore on.'
        ScratchPort             = @{ Description = 'TCP port of the scratch server.'; Default = '5432' }
        ScratchCredential       = 'User name and password on the scratch server; the user must be allowed to create databases.'
        ScratchConnectionString = 'A full connection string for the scratch server instead of -ScratchHost, -ScratchPort and -ScratchCredential.'
        ScratchPath             = @{ Description = 'Physical backups at level Restore: the folder under which the trial cluster is restored and recovered (it needs about the size of the cluster; removed afterwards). Running as root, the postgres account must be able to enter it.'; Default = 'the temporary folder ($env:TMPDIR or /tmp)' }
        AllowSourceServer       = 'Allow the trial restore on the server the backup was taken from. Without it, that is refused, because a trial restore loads the server.'
        Jobs                    = @{ Description = 'Parallel pg_restore processes for the trial restore (see Restore-PgBackup -Jobs).'; Default = '1' }
        Passphrase              = 'Passphrase of an encrypted repository.'
        KeyFile                 = 'Path of the key file of an encrypted repository.'
        LogPath                 = 'Path of a log file for schedulers, rolled daily. A path ending in .json or .clef gets compact JSON (CLEF) events; anything else plain text.'
    }
    Examples    = @(
        @{
            Code    = 'Get-PgBackup -Repository /backups/prod -Latest -KeyFile ~/.pgbackup/prod.key | Test-PgBackup -KeyFile ~/.pgbackup/prod.key'
            Remarks = 'Checks the checksums and authentication of the newest backup of every database.'
        }
        @{
            Code    = "`$r = Test-PgBackup -Repository /backups/prod -Database shop -Latest -ScratchHost scratch01 -ScratchCredential `$cred -KeyFile ~/.pgbackup/prod.key -ErrorAction Stop`n`$r.Checks`n`$r.RestoreDuration"
            Remarks = 'Restores the newest backup of shop on scratch01, compares row counts and runs amcheck; shows every check and the measured restore time. A failure stops the script.'
        }
    )
    Outputs     = @{ 'PgBackupTools.VerificationResult' = 'BackupId, Database, Level, Status (Passed, Failed, Skipped, Error), Checks (Name, Status, Detail, Duration), StartTime, Duration, RestoreDuration, TablesCompared, RowMismatches.' }
    Notes       = 'Partial restores (-Schema/-Table on Restore-PgBackup) are not available yet.'
    Links       = @('Get-PgBackup', 'Restore-PgBackup', 'Invoke-PgBackup')
}
