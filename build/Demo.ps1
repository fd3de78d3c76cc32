#Requires -Version 7.4
<#
.SYNOPSIS
    build.ps1 -Task Demo: a full backup and restore of a sample database, step by step.

.DESCRIPTION
    Starts a throwaway PostgreSQL (tests/tools/TestPostgres.psm1), creates demo_shop from
    build/demo.sql, then runs build/DemoSession.ps1 in a fresh pwsh that imports the staged
    module and uses the cmdlets as a user would. Finally compares the row counts of every table
    in demo_shop and demo_shop_restored. The server and temp files are always removed.
#>
param(
    [Parameter(Mandatory)][string]$RepoRoot,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$TestPostgresModule
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $RepoRoot 'build/BuildTools.psm1') -Force

$work = Join-Path ([IO.Path]::GetTempPath()) ("pgbt-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$server = $null
try {
    Write-Section "Demo 1/5: starting a throwaway PostgreSQL server"
    Import-TestPostgres -Path $TestPostgresModule
    $server = Start-TestPostgres
    Write-Host ("PostgreSQL is listening on {0}:{1} (user {2}, data directory {3})" -f $server.Host, $server.Port, $server.User, $server.DataDir)
    Invoke-Psql -Server $server -Sql 'SELECT version()' -Capture -Quiet | Write-Host

    Write-Section "Demo 2/5: creating the sample database demo_shop (build/demo.sql)"
    Invoke-Psql -Server $server -Sql 'CREATE DATABASE demo_shop'
    Invoke-Psql -Server $server -Database demo_shop -File (Join-Path $RepoRoot 'build/demo.sql') -Quiet
    $source = Get-TableRowCounts -Server $server -Database demo_shop
    $size = Invoke-Psql -Server $server -Database demo_shop -Sql "SELECT pg_size_pretty(pg_database_size('demo_shop'))" -Capture -Quiet
    Write-Host "demo_shop is ready: $($source.Count - 1) tables, $(($source.Values | Measure-Object -Sum).Sum) rows, $size on disk."

    Write-Section "Demo 3/5: backing up and restoring with the PgBackupTools cmdlets (fresh pwsh)"
    $env:PGBT_DEMO_PASSWORD = [string]$server.Password
    try {
        Invoke-ChildPwsh -RepoRoot $RepoRoot -File (Join-Path $RepoRoot 'build/DemoSession.ps1') -ArgumentList @(
            '-ModulePath', $ModulePath, '-WorkDir', $work,
            '-PgHost', [string]$server.Host, '-Port', [string]$server.Port, '-User', [string]$server.User)
    } finally {
        Remove-Item Env:PGBT_DEMO_PASSWORD -ErrorAction Ignore
    }

    Write-Section "Demo 5/5: comparing row counts of demo_shop and demo_shop_restored"
    $restored = Get-TableRowCounts -Server $server -Database demo_shop_restored
    $rows = foreach ($t in ($source.Keys + $restored.Keys | Sort-Object -Unique)) {
        $s = if ($source.Contains($t)) { $source[$t] } else { $null }
        $r = if ($restored.Contains($t)) { $restored[$t] } else { $null }
        [pscustomobject]@{ Table = $t; Source = $s; Restored = $r; Equal = ($s -eq $r) }
    }
    $rows | Format-Table -AutoSize | Out-Host
    $seq = Invoke-Psql -Server $server -Database demo_shop_restored -Sql 'SELECT last_value FROM sales.invoice_number_seq' -Capture -Quiet
    Write-Host "sales.invoice_number_seq in the restored database: $seq (source: 104242)"
    $bad = @($rows | Where-Object { -not $_.Equal })
    if ($bad.Count -gt 0 -or "$seq".Trim() -ne '104242') {
        throw "The restored database differs from the source: $(($bad.Table) -join ', ')"
    }
    Write-Host "All $($rows.Count) tables match. The demo completed successfully." -ForegroundColor Green
} finally {
    Write-Section "Demo cleanup: stopping PostgreSQL and removing temporary files"
    if ($server) {
        try { Stop-TestPostgres $server } catch { Write-Warning "Stop-TestPostgres failed: $_" }
    }
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
    Write-Host "Removed $work"
}
