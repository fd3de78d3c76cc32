@{
    RootModule             = 'PgBackupTools.dll'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Core')
    GUID                   = '6f0f3c59-8f0e-4d5c-9a55-2f4c1b0b7e21'
    Author                 = 'PgBackupTools contributors'
    CompanyName            = 'PgBackupTools'
    Copyright              = '(c) PgBackupTools contributors. MIT licence.'
    Description            = 'Backs up, verifies, restores, expires and monitors PostgreSQL databases: pg_dump streamed through zstd and AES-256-GCM into an authenticated repository.'
    PowerShellVersion      = '7.4'
    FormatsToProcess       = @('PgBackupTools.format.ps1xml')
    CmdletsToExport        = @(
        'New-PgBackupKeyFile'
        'Initialize-PgBackupRepository'
        'Set-PgBackupRepositoryKey'
        'Invoke-PgBackup'
        'Get-PgBackup'
        'Restore-PgBackup'
        'Test-PgBackup'
        'Remove-PgBackupExpired'
        'Get-PgBackupHealth'
        'Send-PgBackupNotification'
        'Get-PgWalArchiveCommand'
        'Start-PgWalStream'
        'Stop-PgWalStream'
        'Get-PgWalStream'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags       = @('PostgreSQL', 'Backup', 'Restore', 'pg_dump', 'Encryption', 'Linux', 'Windows')
            ProjectUri = 'https://example.invalid/pgbackuptools'
        }
    }
}
