# Shared helpers for build.ps1, build/Demo.ps1 and build/Bench.ps1.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Write-Section {
    # A clear header so a newcomer can follow the log.
    param([Parameter(Mandatory)][string]$Title)
    $line = '=' * 78
    Write-Host ''
    Write-Host $line -ForegroundColor Cyan
    Write-Host ("== [{0:HH:mm:ss}] {1}" -f (Get-Date), $Title) -ForegroundColor Cyan
    Write-Host $line -ForegroundColor Cyan
}

function Invoke-Native {
    <#
      Runs a native command and checks its exit code.
      Default: output goes to the host, a non-zero exit code throws.
      -Capture: returns stdout lines instead of printing them.
      -AllowFailure: does not throw; the caller reads $LASTEXITCODE.
    #>
    param(
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [switch]$Capture,
        [switch]$AllowFailure,
        [switch]$Quiet
    )
    if (-not $Quiet) {
        $shown = $ArgumentList | ForEach-Object { if ($_ -match '\s') { "'$_'" } else { $_ } }
        Write-Host "> $FilePath $($shown -join ' ')" -ForegroundColor DarkGray
    }
    if ($Capture) {
        $out = & $FilePath @ArgumentList
    } else {
        & $FilePath @ArgumentList | Out-Host
    }
    $code = $LASTEXITCODE
    if ($code -ne 0 -and -not $AllowFailure) {
        throw "Command failed with exit code ${code}: $FilePath $($ArgumentList -join ' ')"
    }
    $global:LASTEXITCODE = $code
    if ($Capture) { return $out }
}

function Invoke-ChildPwsh {
    <#
      Runs a script file in a fresh `dotnet pwsh` (the repo's local tool) so that
      the freshly staged module loads into a clean process.
    #>
    param(
        [Parameter(Mandatory)][string]$RepoRoot,
        [Parameter(Mandatory)][string]$File,
        [string[]]$ArgumentList = @(),
        [switch]$AllowFailure,
        [string[]]$Prefix = @()   # e.g. /usr/bin/time -v -o file
    )
    Push-Location $RepoRoot   # `dotnet pwsh` finds .config/dotnet-tools.json from the cwd
    try {
        $argv = @('pwsh', '-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList
        if ($Prefix.Count -gt 0) {
            Invoke-Native -FilePath $Prefix[0] -ArgumentList (@($Prefix | Select-Object -Skip 1) + 'dotnet' + $argv) -AllowFailure:$AllowFailure
        } else {
            Invoke-Native -FilePath 'dotnet' -ArgumentList $argv -AllowFailure:$AllowFailure
        }
    } finally {
        Pop-Location
    }
}

function Get-NuGetPackagesRoot {
    # NUGET_PACKAGES wins; otherwise ask dotnet (honours NuGet.config globalPackagesFolder).
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $lines = Invoke-Native -FilePath 'dotnet' -ArgumentList @('nuget', 'locals', 'global-packages', '--list') -Capture -Quiet
    foreach ($l in $lines) {
        if ($l -match '^\s*global-packages:\s*(.+?)\s*$') { return $Matches[1] }
    }
    throw "Could not determine the NuGet global packages folder from 'dotnet nuget locals global-packages --list': $lines"
}

function Measure-Seconds {
    # Wall-clock seconds a script block takes, rounded to 10 ms.
    param([Parameter(Mandatory)][scriptblock]$Block)
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $null = & $Block
    [math]::Round($sw.Elapsed.TotalSeconds, 2)
}

function Get-Median {
    # The bench compares medians: one run on a small shared machine can take twice as long as the next.
    param([Parameter(Mandatory)][double[]]$Values)
    $sorted = @($Values | Sort-Object)
    $mid = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { [math]::Round(($sorted[$mid - 1] + $sorted[$mid]) / 2, 2) }
}

function Format-Duration {
    param([TimeSpan]$Span)
    if ($Span.TotalMinutes -ge 1) { return '{0}m {1:00.0}s' -f [int][math]::Floor($Span.TotalMinutes), ($Span.TotalSeconds % 60) }
    return '{0:0.0}s' -f $Span.TotalSeconds
}

function Get-TestPostgresPsqlPath {
    param([Parameter(Mandatory)]$Server, [string]$Tool = 'psql')
    $exe = if ($IsWindows) { "$Tool.exe" } else { $Tool }
    if ($Server.PSObject.Properties['BinDir'] -and $Server.BinDir) {
        $p = Join-Path $Server.BinDir $exe
        if (Test-Path $p) { return $p }
    }
    $cmd = Get-Command $Tool -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $cmd) { throw "PostgreSQL client tool '$Tool' not found (neither in the server's BinDir nor on PATH)." }
    return $cmd.Source
}

function Invoke-PgTool {
    <#
      Runs a PostgreSQL client tool (psql, pg_dump, pg_restore, pgbench, ...) against a
      server object from Start-TestPostgres. The password goes through PGPASSWORD, never argv.
    #>
    param(
        [Parameter(Mandatory)]$Server,
        [Parameter(Mandatory)][string]$Tool,
        [string[]]$ArgumentList = @(),
        [switch]$Capture,
        [switch]$Quiet
    )
    $exe = Get-TestPostgresPsqlPath -Server $Server -Tool $Tool
    $conn = @('-h', [string]$Server.Host, '-p', [string]$Server.Port, '-U', [string]$Server.User)
    $old = $env:PGPASSWORD
    $env:PGPASSWORD = [string]$Server.Password
    try {
        Invoke-Native -FilePath $exe -ArgumentList ($conn + $ArgumentList) -Capture:$Capture -Quiet:$Quiet
    } finally {
        $env:PGPASSWORD = $old
    }
}

function Invoke-Psql {
    # psql with ON_ERROR_STOP, no psqlrc; -Sql or -File.
    param(
        [Parameter(Mandatory)]$Server,
        [string]$Database = 'postgres',
        [string]$Sql,
        [string]$File,
        [switch]$Capture,
        [switch]$Quiet
    )
    $a = @('-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $Database)
    if ($Capture) { $a += @('-A', '-t', '-F', '|') }
    if ($Sql) { $a += @('-c', $Sql) }
    if ($File) { $a += @('-f', $File) }
    Invoke-PgTool -Server $Server -Tool 'psql' -ArgumentList $a -Capture:$Capture -Quiet:$Quiet
}

function Get-TableRowCounts {
    # Exact per-table row counts of every user table (schema.table -> count).
    param([Parameter(Mandatory)]$Server, [Parameter(Mandatory)][string]$Database)
    $sql = @"
SELECT n.nspname || '.' || c.relname,
       (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
UNION ALL SELECT '(large objects)', count(*)::text FROM pg_largeobject_metadata
ORDER BY 1
"@
    $rows = [ordered]@{}
    foreach ($line in (Invoke-Psql -Server $Server -Database $Database -Sql $sql -Capture -Quiet)) {
        if (-not $line) { continue }
        $name, $count = $line -split '\|', 2
        $rows[$name] = [long]$count
    }
    return $rows
}

function Import-TestPostgres {
    param([Parameter(Mandatory)][string]$Path)
    if (-not (Test-Path $Path)) {
        throw "Test PostgreSQL helper module not found at '$Path'. It must export Start-TestPostgres and Stop-TestPostgres."
    }
    Import-Module $Path -Force -Global
    foreach ($c in 'Start-TestPostgres', 'Stop-TestPostgres') {
        if (-not (Get-Command $c -ErrorAction Ignore)) { throw "'$Path' does not export $c." }
    }
}

Export-ModuleMember -Function *
