#Requires -Version 7.2
<#
    Throwaway PostgreSQL clusters for Pester suites and the build's Demo task: initdb into a temp folder, start with
    pg_ctl on a free 127.0.0.1 port and a private socket folder, stop and delete afterwards. The superuser password
    deliberately holds quotes, spaces, a colon, a backslash and non-ASCII letters so callers exercise escaping.
    initdb/postgres refuse to run as root, so as root everything runs as the 'postgres' OS user via runuser.
#>

Set-StrictMode -Version Latest

$script:DefaultPassword = "pa'ss `"wörd`" ü:\x"

function Find-PgBinDirectory {
    [CmdletBinding()]
    param()
    if ($env:PG_BIN) { return $env:PG_BIN }

    $roots = if ($IsWindows) {
        @(Join-Path $env:ProgramFiles 'PostgreSQL')
    } elseif ($IsMacOS) {
        @('/opt/homebrew/opt', '/usr/local/opt', '/Applications/Postgres.app/Contents/Versions')
    } else {
        @('/usr/lib/postgresql')
    }
    $initdb = if ($IsWindows) { 'initdb.exe' } else { 'initdb' }
    $candidates = foreach ($root in $roots) {
        if (-not (Test-Path -LiteralPath $root)) { continue }
        foreach ($dir in Get-ChildItem -LiteralPath $root -Directory) {
            if ($dir.Name -match '^(?:postgresql@)?(\d+)$' -and (Test-Path -LiteralPath (Join-Path $dir.FullName 'bin' $initdb))) {
                [pscustomobject]@{ Major = [int]$Matches[1]; Bin = Join-Path $dir.FullName 'bin' }
            }
        }
    }
    $best = $candidates | Sort-Object Major -Descending | Select-Object -First 1
    if (-not $best) {
        throw "No PostgreSQL server binaries found (looked at PG_BIN and $($roots -join ', ')). Install the PostgreSQL server package or set PG_BIN."
    }
    $best.Bin
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        $listener.LocalEndpoint.Port
    } finally {
        $listener.Stop()
    }
}

function Test-RunningAsRoot {
    -not $IsWindows -and ((& id -u) -eq '0')
}

# Runs a PostgreSQL program (as the postgres OS user when we are root) and throws with its output on failure.
function Invoke-PgProgram {
    param(
        [Parameter(Mandatory)] [string] $BinDir,
        [Parameter(Mandatory)] [string] $Program,
        [Parameter(Mandatory)] [string[]] $Arguments,
        [Parameter(Mandatory)] [string] $WorkingDirectory,
        [switch] $AllowFailure
    )
    $exe = Join-Path $BinDir $Program
    Push-Location -LiteralPath $WorkingDirectory
    $previousLcAll = $env:LC_ALL
    $env:LC_ALL = 'C'
    try {
        $output = if (Test-RunningAsRoot) {
            & runuser -u postgres -- $exe @Arguments 2>&1
        } else {
            & $exe @Arguments 2>&1
        }
        $exitCode = $LASTEXITCODE
    } finally {
        $env:LC_ALL = $previousLcAll
        Pop-Location
    }
    if ($exitCode -ne 0 -and -not $AllowFailure) {
        throw "$Program failed with exit code ${exitCode}:`n$($output -join "`n")"
    }
    [pscustomobject]@{ ExitCode = $exitCode; Output = ($output -join "`n") }
}

function Start-TestPostgres {
    <#
    .SYNOPSIS
        Creates and starts a throwaway PostgreSQL cluster; returns Host, Port, User, Password, DataDir, BinDir and a
        Stop() method.
    .PARAMETER BinDir
        Directory holding initdb/pg_ctl; defaults to PG_BIN or the newest installed server.
    .PARAMETER Password
        Superuser password (plain text: test harness only).
    #>
    [CmdletBinding()]
    param(
        [string] $BinDir = (Find-PgBinDirectory),
        [string] $Password = $script:DefaultPassword,
        [string] $User = 'postgres'
    )

    # No spaces in the path: pg_ctl hands the -o options to a shell.
    $root = Join-Path ([System.IO.Path]::GetTempPath()) ('pgbt-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $dataDir = Join-Path $root 'data'
    $socketDir = Join-Path $root 'socket'
    $logFile = Join-Path $root 'server.log'
    $pwFile = Join-Path $root 'pwfile'
    $null = New-Item -ItemType Directory -Path $root, $socketDir
    $started = $false
    try {
        [System.IO.File]::WriteAllText($pwFile, "$Password`n", [System.Text.UTF8Encoding]::new($false))
        if (Test-RunningAsRoot) {
            & chown -R 'postgres:' $root
            if ($LASTEXITCODE -ne 0) { throw "chown of $root to postgres failed." }
        }

        $null = Invoke-PgProgram -BinDir $BinDir -Program 'initdb' -WorkingDirectory $root -Arguments @(
            '-D', $dataDir, '-U', $User, '--auth=scram-sha-256', "--pwfile=$pwFile", '-E', 'UTF8', '--locale=C', '--no-sync')
        Remove-Item -LiteralPath $pwFile -Force

        $port = 0
        foreach ($attempt in 1..3) {
            $port = Get-FreeTcpPort
            $options = "-p $port -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
            if (-not $IsWindows) { $options += " -k $socketDir" }
            $result = Invoke-PgProgram -BinDir $BinDir -Program 'pg_ctl' -WorkingDirectory $root -AllowFailure -Arguments @(
                '-D', $dataDir, '-l', $logFile, '-o', $options, '-w', '-t', '60', 'start')
            if ($result.ExitCode -eq 0) { $started = $true; break }
            $log = if (Test-Path -LiteralPath $logFile) { Get-Content -LiteralPath $logFile -Raw } else { '' }
            if ($attempt -eq 3 -or $log -notmatch 'could not bind') {
                throw "pg_ctl start failed (exit $($result.ExitCode)): $($result.Output)`nServer log:`n$log"
            }
        }

        $server = [pscustomobject]@{
            PSTypeName = 'PgBackupTools.TestPostgres'
            Host       = '127.0.0.1'
            Port       = $port
            User       = $User
            Password   = $Password
            DataDir    = $dataDir
            SocketDir  = $socketDir
            BinDir     = $BinDir
            RootDir    = $root
        }
        $server | Add-Member -MemberType ScriptMethod -Name Stop -Value { Stop-TestPostgres -Server $this }
        $server
    } catch {
        if ($started) {
            $null = Invoke-PgProgram -BinDir $BinDir -Program 'pg_ctl' -WorkingDirectory $root -AllowFailure -Arguments @(
                '-D', $dataDir, '-m', 'immediate', '-w', 'stop')
        }
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
        throw
    }
}

function Restart-TestPostgres {
    <#
    .SYNOPSIS
        Restarts a cluster made by Start-TestPostgres with the options it was started with (settings such as
        archive_mode take effect only at start).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [PSTypeName('PgBackupTools.TestPostgres')] $Server)
    $null = Invoke-PgProgram -BinDir $Server.BinDir -Program 'pg_ctl' -WorkingDirectory $Server.RootDir -Arguments @(
        '-D', $Server.DataDir, '-l', (Join-Path $Server.RootDir 'server.log'), '-m', 'fast', '-w', '-t', '60', 'restart')
}

function Grant-TestPostgresAccess {
    <#
    .SYNOPSIS
        Gives the server's OS account ownership of files it must write or read (a repository for archive_command,
        a key file). A no-op unless running as root, where the server runs as postgres.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Path)
    if (-not (Test-RunningAsRoot)) { return }
    foreach ($p in $Path) {
        & chown -R 'postgres:' -- $p
        if ($LASTEXITCODE -ne 0) { throw "chown of $p to postgres failed." }
    }
}

function Stop-TestPostgres {
    <#
    .SYNOPSIS
        Stops a cluster made by Start-TestPostgres (immediate shutdown) and deletes its folder.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [PSTypeName('PgBackupTools.TestPostgres')] $Server
    )
    process {
        if (-not (Test-Path -LiteralPath $Server.RootDir)) { return }
        if (Test-Path -LiteralPath (Join-Path $Server.DataDir 'postmaster.pid')) {
            $null = Invoke-PgProgram -BinDir $Server.BinDir -Program 'pg_ctl' -WorkingDirectory $Server.RootDir -AllowFailure -Arguments @(
                '-D', $Server.DataDir, '-m', 'immediate', '-w', 'stop')
        }
        Remove-Item -LiteralPath $Server.RootDir -Recurse -Force
    }
}

Export-ModuleMember -Function Start-TestPostgres, Stop-TestPostgres, Restart-TestPostgres, Grant-TestPostgresAccess
