@{
    Synopsis    = 'Returns the archive_command and restore_command that archive a server''s WAL into a repository.'
    Description = @'
Get-PgWalArchiveCommand checks that the key unlocks the repository and returns the exact values to put in postgresql.conf: archive_command, which PostgreSQL runs for every completed WAL segment, and restore_command, which recovery runs to fetch segments back.

Both run pgbt-wal, a small native program shipped in the module (bin/<platform>/pgbt-wal): it starts in milliseconds, compresses (zstd by default), encrypts with AES-256-GCM under a key derived from the repository's master key, and reports success only once the segment is durably stored. A re-push of an identical segment succeeds; a different segment under an archived name is refused. When fetching, a missing segment with later ones present (a hole) or a damaged segment stops recovery with an error naming the segment, instead of letting it end early.

No secret is part of the commands: an encrypted repository is unlocked with the key file (by path) or with a passphrase in the environment variable PGBACKUPTOOLS_PASSPHRASE of the PostgreSQL service. A key file is recommended: a passphrase is stretched again for every segment.

The PostgreSQL service account must be able to run pgbt-wal, read the key file, and write the repository's wal/ folder.
'@
    Parameters  = @{
        Repository       = 'Path of the repository the WAL goes into, as the database server sees it.'
        KeyFile          = 'Key file of an encrypted repository. Its path is part of the commands; the server''s account must be able to read it.'
        Passphrase       = 'Passphrase of an encrypted repository, to check that it unlocks it. It is not part of the commands: the server needs it in PGBACKUPTOOLS_PASSPHRASE.'
        Compression      = 'How archived segments are compressed: Zstd (default), Gzip or None.'
        CompressionLevel = 'Compression level (zstd 1-19, default 1: WAL compresses almost as well as at 3, and faster; gzip 1-9, default 6).'
        ToolPath         = 'Where pgbt-wal is on the database server, when that is not the path of this module''s copy.'
    }
    Examples    = @(
        @{
            Code    = "`$wal = Get-PgWalArchiveCommand -Repository /backups/prod -KeyFile /etc/pgbackup/prod.key`n`$wal.AlterSystemSql | psql -U postgres`nsudo systemctl restart postgresql"
            Remarks = 'Turns on WAL archiving into the repository (archive_mode needs a restart).'
        }
        @{
            Code    = "(Get-PgWalArchiveCommand -Repository /backups/prod -KeyFile /etc/pgbackup/prod.key).RestoreCommand"
            Remarks = 'Shows the restore_command for a standby or a manual recovery.'
        }
    )
    Notes       = 'Exit codes of pgbt-wal: archive-push 0 = stored (or identical copy already stored), 1 = not stored (PostgreSQL retries). archive-get 0 = restored, 1 = not archived (end of recovery), 126 = hole in the archive, damaged segment or wrong key (recovery stops).'
    Links       = @('Invoke-PgBackup', 'Restore-PgBackup', 'Get-PgBackupHealth')
}
