@{
    Synopsis    = 'Changes the passphrase or key file that protects a repository''s master key.'
    Description = @'
Set-PgBackupRepositoryKey unwraps the repository's master key with the current passphrase or key file and wraps it again with a new passphrase or key file. Only the small key envelope is rewritten; the backups themselves are not touched, so the operation is fast whatever the size of the repository.

After the change the old passphrase or key file no longer opens the repository.

You can switch between the two kinds: from a passphrase to a key file and back.
'@
    Parameters  = @{
        Repository    = 'Path of the repository whose key is changed.'
        Passphrase    = 'The current passphrase of the repository.'
        KeyFile       = 'Path of the current key file of the repository.'
        NewPassphrase = 'The new passphrase that will protect the master key.'
        NewKeyFile    = 'Path of the new key file (see New-PgBackupKeyFile) that will protect the master key.'
    }
    Examples    = @(
        @{
            Code    = "New-PgBackupKeyFile -Path ~/.pgbackup/prod-2025.key`nSet-PgBackupRepositoryKey -Repository /backups/prod -KeyFile ~/.pgbackup/prod.key -NewKeyFile ~/.pgbackup/prod-2025.key"
            Remarks = 'Rotates the key file of a repository.'
        }
        @{
            Code    = "Set-PgBackupRepositoryKey -Repository /backups/prod -Passphrase (Read-Host -AsSecureString 'Current') -NewKeyFile ~/.pgbackup/prod.key -WhatIf"
            Remarks = 'Shows what would change when moving a repository from a passphrase to a key file, without changing anything.'
        }
    )
    Notes       = 'Backups already copied elsewhere together with the old key envelope can still be opened with the old key. The master key itself does not change; see docs/repository-format.md.'
    Links       = @('Initialize-PgBackupRepository', 'New-PgBackupKeyFile')
}
