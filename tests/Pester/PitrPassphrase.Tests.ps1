# Point-in-time recovery with a passphrase repository: the passphrase reaches archive_command and restore_command
# only through PGBACKUPTOOLS_PASSPHRASE in the server's environment, never a command line or a file.
# Run through tests/Pester/Invoke-PesterSuite.ps1 (PGBT_MODULE_PATH).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../tools/TestPostgres.psm1') -Force
    $script:ModulePath = Get-PgbtModulePath
    Import-Module $ModulePath -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $Server.RootDir 'pitr-passphrase'
    $null = New-Item -ItemType Directory -Path $Root
    $script:Repo = New-PgbtRepository -Root $Root -Kind Passphrase
    $script:Plain = [System.Net.NetworkCredential]::new('', $Repo.Passphrase).Password
    $tool = Join-Path $Root 'pgbt-wal'
    Copy-Item -LiteralPath (Join-Path (Split-Path $ModulePath) "bin/$([System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)/pgbt-wal") -Destination $tool
    & chmod 755 $tool
    Grant-TestPostgresAccess $Root
    $script:Wal = Get-PgWalArchiveCommand -Repository $Repo.Path -Passphrase $Repo.Passphrase -ToolPath $tool -WarningAction SilentlyContinue
    $null = Invoke-PgbtSql $Server -Sql @"
ALTER SYSTEM SET archive_mode = 'on';
ALTER SYSTEM SET archive_command = $(ConvertTo-PgbtLiteral $Wal.ArchiveCommand);
ALTER SYSTEM SET unix_socket_directories = $(ConvertTo-PgbtLiteral $Server.SocketDir);
"@
    # The server inherits the passphrase from the environment it is started in, as a service would from its unit.
    $env:PGBACKUPTOOLS_PASSPHRASE = $Plain
    try { Restart-TestPostgres $Server } finally { Remove-Item Env:PGBACKUPTOOLS_PASSPHRASE }

    $script:SwitchAndWait = {
        $name = Get-PgbtScalar $Server -Sql 'SELECT pg_walfile_name(pg_switch_wal())'
        $done = Wait-PgbtCondition -TimeoutSeconds 60 -Condition { (Get-PgbtScalar $Server -Sql 'SELECT last_archived_wal FROM pg_stat_archiver') -ge $name }
        if (-not $done) { throw "Segment $name was not archived within 60 s: $(Get-PgbtScalar $Server -Sql 'SELECT last_failed_wal FROM pg_stat_archiver')" }
    }
    $null = Invoke-PgbtSql $Server -Sql 'CREATE TABLE marker (id int PRIMARY KEY)'
    # The password comes from $env:PGPASSWORD, set in this session only, as a scheduled script might set it. pwsh's $env:
    # changes .NET's copy of the environment, not the process's own, so libpq inside this process must be handed it.
    $env:PGPASSWORD = $Server.Password
    try {
        $script:Base = Invoke-PgBackup -Repository $Repo.Path -Type Physical -FastCheckpoint -ConnectionString "host=$($Server.Host) port=$($Server.Port) user=$($Server.User)" -Passphrase $Repo.Passphrase -ErrorAction Stop
    } finally { Remove-Item Env:PGPASSWORD }
    $null = Invoke-PgbtSql $Server -Sql 'INSERT INTO marker VALUES (1)'
    & $SwitchAndWait
    $script:Restored = $null
}

AfterAll {
    if ($script:Restored -and (Test-Path -LiteralPath (Join-Path $Restored 'postmaster.pid'))) {
        & runuser -u postgres -- (Join-Path $Server.BinDir 'pg_ctl') -D $Restored -m immediate -w stop *> $null
    }
    Stop-PgbtTestServer $Server
}

Describe 'A passphrase repository' {
    It 'took the base backup compressed by the server, with the password from $env:PGPASSWORD' {
        $Base.PgDumpVersion | Should -Match 'compressed on the server'
    }

    It 'archives with the passphrase only in the server environment, never in the configuration' {
        $Wal.ArchiveCommand | Should -Not -Match ([regex]::Escape($Plain))
        Get-PgbtScalar $Server -Sql 'SELECT failed_count FROM pg_stat_archiver' | Should -Be '0'
        Get-PgbtScalar $Server -Sql 'SHOW archive_command' | Should -Not -Match ([regex]::Escape($Plain))
    }

    It 'restores to the latest point, handing the passphrase to the recovering server only' {
        $path = Join-Path $Root 'restored'
        $port = Get-PgbtFreePort
        $result = Restore-PgBackup -Repository $Repo.Path -Type Physical -TargetPath $path -Latest -Port $port -Start -Passphrase $Repo.Passphrase -Confirm:$false -ErrorAction Stop
        $script:Restored = $path
        $result.BackupId | Should -Be $Base.Id
        $result.Running | Should -BeTrue
        $copy = [pscustomobject]@{ Host = $Server.Host; Port = $port; User = $Server.User; Password = $Server.Password; BinDir = $Server.BinDir }
        @(Invoke-PgbtSql $copy -Sql 'SELECT id FROM marker') | Should -Be @('1')
        Get-Content -LiteralPath (Join-Path $path 'postgresql.auto.conf') -Raw | Should -Not -Match ([regex]::Escape($Plain))
        $postmaster = [int](Get-Content -LiteralPath (Join-Path $path 'postmaster.pid') -TotalCount 1)
        [System.IO.File]::ReadAllText("/proc/$postmaster/environ") | Should -Not -Match 'PGBACKUPTOOLS_PASSPHRASE' -Because 'the running server no longer needs it'
    }
}
