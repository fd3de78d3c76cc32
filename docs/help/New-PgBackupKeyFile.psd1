@{
    Synopsis    = 'Creates a new random 256-bit key file for encrypting a backup repository.'
    Description = @'
New-PgBackupKeyFile writes 32 bytes from a cryptographically secure random number generator to a new file. On Linux and macOS the file is created with mode 0600 (readable and writable by the owner only); on Windows it inherits the directory's ACL, so keep it in a private folder.

The key file protects the repository's master key (Initialize-PgBackupRepository -KeyFile). Anyone with the key file and the repository can read every backup; without it, nothing can be restored. Store a copy away from the repository, for example in a password manager or a secrets vault.

The cmdlet refuses to overwrite an existing file.
'@
    Parameters  = @{
        Path = 'Path of the key file to create. The parent directory must exist; the file must not.'
    }
    Examples    = @(
        @{
            Code    = "New-PgBackupKeyFile -Path ~/.pgbackup/prod.key"
            Remarks = 'Creates a new key file readable only by the current user and returns it as a FileInfo object.'
        }
        @{
            Code    = "`$key = New-PgBackupKeyFile -Path ./demo.key`nInitialize-PgBackupRepository -Repository /backups/repo -KeyFile `$key.FullName"
            Remarks = 'Creates a key file and uses it to initialize an encrypted repository.'
        }
    )
    Outputs     = @{ 'System.IO.FileInfo' = 'The key file that was created.' }
    Notes       = 'Losing the key file (and every passphrase or key file the master key is wrapped with) makes the backups unrecoverable. To change the key of an existing repository use Set-PgBackupRepositoryKey.'
    Links       = @('Initialize-PgBackupRepository', 'Set-PgBackupRepositoryKey')
}
