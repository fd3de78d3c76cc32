#Requires -Version 7.4
# The user's side of the demo: runs in a fresh pwsh with the staged module. Started by build/Demo.ps1.
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$WorkDir,
    [Parameter(Mandatory)][string]$PgHost,
    [Parameter(Mandatory)][int]$Port,
    [Parameter(Mandatory)][string]$User
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Show-Step([string]$Text, [string]$Code) {
    Write-Host ''
    Write-Host "--- $Text" -ForegroundColor Yellow
    if ($Code) { Write-Host "PS> $Code" -ForegroundColor DarkGray }
}

Show-Step 'Import the module' "Import-Module $ModulePath"
Import-Module $ModulePath
Get-Command -Module PgBackupTools | Sort-Object Name | Format-Table CommandType, Name, Version -AutoSize | Out-Host

$keyPath = Join-Path $WorkDir 'demo.key'
$repo = Join-Path $WorkDir 'repo'
$cred = [pscredential]::new($User, (ConvertTo-SecureString $env:PGBT_DEMO_PASSWORD -AsPlainText -Force))
$conn = @{ Host = $PgHost; Port = $Port; Credential = $cred }

Show-Step 'Create a random 256-bit key file (mode 0600)' "`$key = New-PgBackupKeyFile -Path $keyPath"
$key = New-PgBackupKeyFile -Path $keyPath
$key | Out-Host

Show-Step 'Create an encrypted repository protected by that key file' "Initialize-PgBackupRepository -Repository $repo -KeyFile $keyPath"
Initialize-PgBackupRepository -Repository $repo -KeyFile $keyPath | Out-Host

Show-Step 'Back up demo_shop (pg_dump -> zstd -> AES-256-GCM -> repository)' "`$backup = Invoke-PgBackup -Repository $repo -Database demo_shop -Host $PgHost -Port $Port -Credential `$cred -KeyFile $keyPath"
$sw = [Diagnostics.Stopwatch]::StartNew()
$backup = Invoke-PgBackup -Repository $repo -Database demo_shop @conn -KeyFile $keyPath
Write-Host ("(took {0:0.0}s)" -f $sw.Elapsed.TotalSeconds)
$backup | Out-Host
$backup | Format-List * | Out-Host

Show-Step 'List the backups in the repository' "Get-PgBackup -Repository $repo -KeyFile $keyPath"
Get-PgBackup -Repository $repo -KeyFile $keyPath | Out-Host

Show-Step 'Restore the latest backup into a new database demo_shop_restored' "Restore-PgBackup -Repository $repo -Database demo_shop -Latest -TargetDatabase demo_shop_restored -Host $PgHost -Port $Port -Credential `$cred -KeyFile $keyPath -Confirm:`$false"
$sw.Restart()
$result = Restore-PgBackup -Repository $repo -Database demo_shop -Latest -TargetDatabase demo_shop_restored @conn -KeyFile $keyPath -Confirm:$false
Write-Host ("(took {0:0.0}s)" -f $sw.Elapsed.TotalSeconds)
$result | Format-List * | Out-Host

Write-Host ''
Write-Host '--- Demo 4/5: verification and health (when the module has them)' -ForegroundColor Yellow
if (Get-Command Test-PgBackup -Module PgBackupTools -ErrorAction Ignore) {
    Show-Step 'Verify every file and chunk of the backup without restoring it' "Test-PgBackup -Repository $repo -Id $($backup.Id) -KeyFile $keyPath"
    Test-PgBackup -Repository $repo -Id $backup.Id -KeyFile $keyPath | Out-Host
    # The demo has one server; in production name a separate scratch server and leave out -AllowSourceServer.
    Show-Step 'Prove it restores: trial restore into a scratch database, exact row counts, amcheck' "`$check = `$backup | Test-PgBackup -KeyFile $keyPath -ScratchHost $PgHost -ScratchPort $Port -ScratchCredential `$cred -AllowSourceServer"
    $check = $backup | Test-PgBackup -KeyFile $keyPath -ScratchHost $PgHost -ScratchPort $Port -ScratchCredential $cred -AllowSourceServer
    $check | Out-Host
    $check.Checks | Format-Table Name, Status, Detail -Wrap | Out-Host
    Write-Host ("Measured restore time (this database's RTO): {0:0.0}s" -f $check.RestoreDuration.TotalSeconds)
    Get-PgBackup -Repository $repo -Id $backup.Id -KeyFile $keyPath | Format-List Id, Database, LastVerified, VerificationStatus, VerificationLevel | Out-Host
} else {
    Write-Host 'Test-PgBackup is not part of this version yet - skipped.'
}
if (Get-Command Get-PgBackupHealth -Module PgBackupTools -ErrorAction Ignore) {
    Show-Step 'Repository health' "Get-PgBackupHealth -Repository $repo -KeyFile $keyPath"
    Get-PgBackupHealth -Repository $repo -KeyFile $keyPath | Out-Host
} else {
    Write-Host 'Get-PgBackupHealth is not part of this version yet - skipped.'
}
