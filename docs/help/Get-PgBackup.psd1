@{
    Synopsis    = 'Lists the backups in a repository.'
    Description = @'
Get-PgBackup reads the manifests of a repository and returns one PgBackupTools.Backup object per backup, newest first. Filters can be combined: -Database, -Id and -Tag narrow the list, -Latest keeps only the newest backup of each database.

Backups that never completed (for example when the process was killed) are hidden unless -IncludeIncomplete is given.

For an encrypted repository the passphrase or key file is needed when manifests are encrypted; the objects returned can be piped to Restore-PgBackup.
'@
    Parameters  = @{
        Repository        = 'Path of the repository to list.'
        Database          = 'Returns only backups of these databases.'
        Id                = 'Returns only the backups with these ids.'
        Latest            = 'Returns only the newest backup of each database.'
        Tag               = 'Returns only backups that carry at least one of these tags.'
        IncludeIncomplete = 'Also returns backups that did not complete.'
        Passphrase        = 'Passphrase of an encrypted repository.'
        KeyFile           = 'Path of the key file of an encrypted repository.'
    }
    Examples    = @(
        @{
            Code    = 'Get-PgBackup -Repository /backups/prod -KeyFile ~/.pgbackup/prod.key'
            Remarks = 'Lists every completed backup in the repository.'
        }
        @{
            Code    = 'Get-PgBackup -Repository /backups/prod -Database shop -Latest -KeyFile ~/.pgbackup/prod.key'
            Remarks = 'Returns the newest backup of the database shop.'
        }
        @{
            Code    = 'Get-PgBackup -Repository /backups/prod -Tag before-migration -IncludeIncomplete -KeyFile ~/.pgbackup/prod.key | Format-List *'
            Remarks = 'Shows every property of the backups tagged before-migration, including incomplete ones.'
        }
    )
    Outputs     = @{ 'PgBackupTools.Backup' = 'One object per backup.' }
    Links       = @('Invoke-PgBackup', 'Restore-PgBackup')
}
