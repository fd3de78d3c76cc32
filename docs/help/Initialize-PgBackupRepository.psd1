@{
    Synopsis    = 'Creates a new backup repository.'
    Description = @'
Initialize-PgBackupRepository creates an empty repository in a directory: its configuration (format version, id) and a random master key. The directory must not exist or must be empty.

Unless -NoEncryption is given, every backup written to the repository is encrypted with AES-256-GCM under keys derived from the master key. The master key itself is stored wrapped (encrypted) with either a passphrase or a key file; it can later be re-wrapped with Set-PgBackupRepositoryKey without rewriting any backup.

The repository format is described in docs/repository-format.md.
'@
    Parameters  = @{
        Repository   = 'Path of the repository directory to create. It must not exist or must be empty.'
        Passphrase   = 'Passphrase that protects the master key. A key is derived from it with a key-derivation function; choose a long passphrase. Use Read-Host -AsSecureString to enter it.'
        KeyFile      = 'Path of a key file (see New-PgBackupKeyFile) that protects the master key.'
        NoEncryption = 'Creates an unencrypted repository. Backups are still compressed and checksummed, but anyone who can read the directory can read the data.'
    }
    Examples    = @(
        @{
            Code    = "New-PgBackupKeyFile -Path ~/.pgbackup/prod.key`nInitialize-PgBackupRepository -Repository /backups/prod -KeyFile ~/.pgbackup/prod.key"
            Remarks = 'Creates a key file and an encrypted repository protected by it.'
        }
        @{
            Code    = "Initialize-PgBackupRepository -Repository /backups/prod -Passphrase (Read-Host -AsSecureString 'Passphrase')"
            Remarks = 'Creates an encrypted repository protected by a passphrase typed at the prompt.'
        }
        @{
            Code    = 'Initialize-PgBackupRepository -Repository ./scratch-repo -NoEncryption'
            Remarks = 'Creates an unencrypted repository, for tests or for data that is not sensitive.'
        }
    )
    Outputs     = @{ 'PgBackupTools.RepositoryInfo' = 'The new repository: Path, Id, FormatVersion, Encrypted, KeyId, KeySource and Created.' }
    Notes       = 'Keep the passphrase or key file somewhere other than the repository: without it no backup can be restored.'
    Links       = @('New-PgBackupKeyFile', 'Set-PgBackupRepositoryKey', 'Invoke-PgBackup')
}
