@{
    Synopsis    = 'Backs up a PostgreSQL database into a repository.'
    Description = @'
Invoke-PgBackup runs pg_dump against the database and streams its output through compression (zstd by default) and, for an encrypted repository, AES-256-GCM encryption straight into the repository. Nothing unencrypted is written to disk. When the dump has been written completely, the backup's manifest (sizes, checksums, PostgreSQL version, tags) is committed; an interrupted backup is left marked incomplete and is not returned by Get-PgBackup unless -IncludeIncomplete is used.

Connect either with -Host, -Port and -Credential, or with a full -ConnectionString. pg_dump must be installed (PostgreSQL client tools); its major version must be at least the server's.

The backup is returned as a PgBackupTools.Backup object, which can be piped to Restore-PgBackup.
'@
    Parameters  = @{
        Repository       = 'Path of the repository (see Initialize-PgBackupRepository).'
        Database         = 'Name of the database to back up.'
        Host             = @{ Description = 'Host name or address of the PostgreSQL server, or a Unix-socket directory.'; Default = 'localhost' }
        Port             = @{ Description = 'TCP port of the PostgreSQL server.'; Default = '5432' }
        Credential       = 'User name and password for the server. Without it the usual libpq defaults apply (current user, PGPASSWORD, ~/.pgpass).'
        ConnectionString = 'A full connection string (key=value form, as accepted by Npgsql/libpq) instead of -Host, -Port and -Credential.'
        Compression      = @{ Description = 'Compression algorithm for the dump stream.'; Default = 'Zstd' }
        CompressionLevel = 'Compression level for the chosen algorithm. Higher is smaller and slower; the default is the algorithm''s balanced level.'
        Passphrase       = 'Passphrase of an encrypted repository.'
        KeyFile          = 'Path of the key file of an encrypted repository.'
        Tag              = 'One or more labels stored with the backup, for example "nightly" or "before-migration". Get-PgBackup -Tag filters on them.'
        LogPath          = 'Path of a file to which a structured (JSON lines) log of the backup is appended.'
    }
    Examples    = @(
        @{
            Code    = "`$cred = Get-Credential postgres`nInvoke-PgBackup -Repository /backups/prod -Database shop -Host db1 -Credential `$cred -KeyFile ~/.pgbackup/prod.key"
            Remarks = 'Backs up the database shop from server db1 into an encrypted repository.'
        }
        @{
            Code    = "Invoke-PgBackup -Repository /backups/prod -Database shop -ConnectionString 'Host=db1;Username=backup;Password=secret' -KeyFile ~/.pgbackup/prod.key -Tag nightly -LogPath /var/log/pgbackup.jsonl"
            Remarks = 'Backs up with a connection string, tags the backup as nightly and writes a JSON log.'
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
