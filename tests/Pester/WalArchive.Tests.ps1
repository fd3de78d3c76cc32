# WAL archiving through archive_command = pgbt-wal: a real server archives into an encrypted repository;
# segments come back byte for byte; a push killed mid-write is retried by PostgreSQL and leaves nothing corrupt
# listed; re-push semantics. Run through tests/Pester/Invoke-PesterSuite.ps1 (PGBT_MODULE_PATH).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../tools/TestPostgres.psm1') -Force
    $script:ModulePath = Get-PgbtModulePath
    Import-Module $ModulePath -Force
    $script:Server = Start-PgbtTestServer

    # Everything the server's account touches lives in one folder it owns (as root, the server runs as postgres).
    $script:Root = Join-Path $Server.RootDir 'wal-test'
    $null = New-Item -ItemType Directory -Path $Root
    $script:Repo = New-PgbtRepository -Root $Root
    $script:Tool = Join-Path $Root 'pgbt-wal'
    $shipped = Join-Path (Split-Path $ModulePath) "bin/$([System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)/pgbt-wal"
    Copy-Item -LiteralPath $shipped -Destination $Tool

    # The archive command of the kill test: the first attempt for the marked segment is killed (SIGKILL) as soon as
    # its temporary file exists in the repository, i.e. mid-write; every other call runs pgbt-wal normally.
    $script:KillMarker = Join-Path $Root 'kill-next'
    $script:Wrapper = Join-Path $Root 'archive.sh'
    $wrapperText = @'
#!/bin/sh
# usage: archive.sh <tool> <repo> <key> <marker> %p %f
tool="$1"; repo="$2"; key="$3"; marker="$4"; p="$5"; f="$6"
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$f" ]; then
    rm -f "$marker"
    "$tool" archive-push --repository "$repo" --key-file "$key" "$p" "$f" &
    pid=$!
    i=0
    while [ $i -lt 2000 ] && [ -z "$(find "$repo/wal" -name '.tmp-*' -newer "$key" 2>/dev/null | head -n 1)" ]; do i=$((i+1)); sleep 0.001; done
    kill -9 $pid
    echo "killed" > "$marker.done"
    exit 1
fi
exec "$tool" archive-push --repository "$repo" --key-file "$key" "$p" "$f"
'@
    [System.IO.File]::WriteAllText($Wrapper, $wrapperText.Replace("`r`n", "`n"))
    & chmod 755 $Wrapper $Tool
    Grant-TestPostgresAccess $Root

    $script:Command = Get-PgWalArchiveCommand -Repository $Repo.Path -KeyFile $Repo.KeyFile -ToolPath $Tool
    $archiveCommand = "$Wrapper $Tool $($Repo.Path) $($Repo.KeyFile) $KillMarker %p %f"
    $null = Invoke-PgbtSql $Server -Sql @"
ALTER SYSTEM SET archive_mode = 'on';
ALTER SYSTEM SET archive_command = $(ConvertTo-PgbtLiteral $archiveCommand);
"@
    Restart-TestPostgres $Server
    $script:SystemId = Get-PgbtScalar $Server -Sql 'SELECT system_identifier FROM pg_control_system()'
    $null = Invoke-PgbtSql $Server -Sql 'CREATE TABLE filler (id int, v text)'

    $script:SwitchAndWait = {
        # Writes, switches to a new segment and waits until the server reports it archived; returns its name.
        $null = Invoke-PgbtSql $Server -Sql "INSERT INTO filler SELECT g, md5(g::text) FROM generate_series(1, 20000) g"
        $name = Get-PgbtScalar $Server -Sql 'SELECT pg_walfile_name(pg_switch_wal())'
        $archived = Wait-PgbtCondition -TimeoutSeconds 30 -Condition {
            (Get-PgbtScalar $Server -Sql 'SELECT last_archived_wal FROM pg_stat_archiver') -ge $name
        }
        if (-not $archived) {
            $log = (Get-Content -LiteralPath (Join-Path $Server.RootDir 'server.log') -Tail 10) -join "`n"
            throw "Segment $name was not archived within 30 s. Server log:`n$log"
        }
        $name
    }
    $script:Fetch = {
        param([string] $Name, [string] $Destination)
        & $Tool archive-get --repository $Repo.Path --key-file $Repo.KeyFile --system-id $SystemId $Name $Destination 2>&1
        $LASTEXITCODE
    }
    $script:StoredFiles = {
        @(Get-ChildItem -LiteralPath (Join-Path $Repo.Path "wal/$SystemId") -Recurse -File | Where-Object Name -match '^[0-9A-F]{24}\.')
    }
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Get-PgWalArchiveCommand' {
    It 'returns commands that name the key file but never hold a secret' {
        $Command.ArchiveCommand | Should -BeLike "$Tool archive-push --repository $($Repo.Path) --key-file $($Repo.KeyFile)*%p %f"
        $Command.RestoreCommand | Should -BeLike "$Tool archive-get --repository $($Repo.Path) --key-file $($Repo.KeyFile)*%f %p"
        $Command.AlterSystemSql | Should -Match "archive_mode = 'on'"
        $Command.RequiredEnvironment | Should -BeNullOrEmpty
    }

    It 'refuses a key that does not unlock the repository' {
        $other = New-PgbtRepository -Root $TestDrive
        $null = Get-PgWalArchiveCommand -Repository $Repo.Path -KeyFile $other.KeyFile -ErrorVariable err -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $err 'WrongKey'
    }

    It 'keeps a passphrase out of the commands and says where it must be' {
        $pass = New-PgbtRepository -Root $TestDrive -Kind Passphrase
        $cmd = Get-PgWalArchiveCommand -Repository $pass.Path -Passphrase $pass.Passphrase -ToolPath $Tool -WarningVariable warn -WarningAction SilentlyContinue
        $plain = [System.Net.NetworkCredential]::new('', $pass.Passphrase).Password
        ($cmd | ConvertTo-Json) | Should -Not -Match ([regex]::Escape($plain))
        $cmd.RequiredEnvironment | Should -Match 'PGBACKUPTOOLS_PASSPHRASE'
        $warn | Should -Not -BeNullOrEmpty
    }

    It 'quotes paths with spaces and percent signs for the shell PostgreSQL uses' {
        $odd = New-PgbtRepository -Root $TestDrive -Name "repo with 'quote' 100%"
        $cmd = Get-PgWalArchiveCommand -Repository $odd.Path -KeyFile $odd.KeyFile -ToolPath $Tool
        $cmd.ArchiveCommand | Should -BeLike "*--repository '*repo with '\''quote'\'' 100%%'*"
    }
}

Describe 'archive_command into the repository' {
    It 'stores each completed segment encrypted, and archive-get returns it byte for byte' {
        $name = & $SwitchAndWait
        $stored = @(& $StoredFiles | Where-Object Name -like "$name.*")
        $stored.Count | Should -Be 1
        $stored[0].Name | Should -Match '\.zst\.enc$'
        Get-PgbtFileMode $stored[0].FullName | Should -Be '600'

        $copy = Join-Path $TestDrive 'fetched'
        & $Fetch $name $copy | Should -Be 0
        $original = Join-Path $Server.DataDir "pg_wal/$name"
        if (Test-Path -LiteralPath $original) {
            (Get-FileHash $copy).Hash | Should -Be (Get-FileHash $original).Hash
        }
        (Get-Item $copy).Length | Should -Be 16MB
        $header = [System.IO.File]::ReadAllBytes($copy)[24..31]
        [BitConverter]::ToUInt64([byte[]]$header, 0) | Should -Be ([uint64]$SystemId)
    }

    It 'retries a push killed mid-write: nothing is lost and no damaged segment is listed' {
        $failedBefore = [int](Get-PgbtScalar $Server -Sql 'SELECT failed_count FROM pg_stat_archiver')
        # The insert location (the write location lags with synchronous_commit=off); right after a switch it is the boundary, which pg_walfile_name assigns to the old segment.
        $null = Invoke-PgbtSql $Server -Sql "INSERT INTO filler VALUES (0, 'x')"
        $next = Get-PgbtScalar $Server -Sql 'SELECT pg_walfile_name(pg_current_wal_insert_lsn())'
        Set-Content -LiteralPath $KillMarker -Value $next -NoNewline
        Grant-TestPostgresAccess $KillMarker

        $name = & $SwitchAndWait
        $name | Should -Be $next
        Test-Path "$KillMarker.done" | Should -BeTrue -Because 'the first attempt must have been killed'
        [int](Get-PgbtScalar $Server -Sql 'SELECT failed_count FROM pg_stat_archiver') | Should -BeGreaterThan $failedBefore

        @(& $StoredFiles | Where-Object Name -like "$name.*").Count | Should -Be 1
        $copy = Join-Path $TestDrive 'after-kill'
        & $Fetch $name $copy | Should -Be 0
        $original = Join-Path $Server.DataDir "pg_wal/$name"
        if (Test-Path -LiteralPath $original) {
            (Get-FileHash $copy).Hash | Should -Be (Get-FileHash $original).Hash
        }
    }

    It 'accepts a re-push of an identical segment and refuses a different one under the same name' {
        $name = & $SwitchAndWait
        $first = Join-Path $TestDrive 'first'
        & $Fetch $name $first | Should -Be 0

        & $Tool archive-push --repository $Repo.Path --key-file $Repo.KeyFile $first $name 2>&1 | Should -BeNullOrEmpty
        $LASTEXITCODE | Should -Be 0

        $bytes = [System.IO.File]::ReadAllBytes($first)
        $bytes[100000] = $bytes[100000] -bxor 0xFF
        $different = Join-Path $TestDrive 'different'
        [System.IO.File]::WriteAllBytes($different, $bytes)
        $message = & $Tool archive-push --repository $Repo.Path --key-file $Repo.KeyFile $different $name 2>&1
        $LASTEXITCODE | Should -Be 1
        "$message" | Should -Match 'already archived with different content'
        @(& $StoredFiles | Where-Object Name -like "$name.*").Count | Should -Be 1
    }

    It 'stops recovery (exit 126) on a flipped byte and names the segment' {
        $name = & $SwitchAndWait
        $stored = @(& $StoredFiles | Where-Object Name -like "$name.*")[0]
        $bytes = [System.IO.File]::ReadAllBytes($stored.FullName)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 1
        [System.IO.File]::WriteAllBytes($stored.FullName, $bytes)

        $target = Join-Path $TestDrive 'flipped'
        $output = & $Tool archive-get --repository $Repo.Path --key-file $Repo.KeyFile --system-id $SystemId $name $target 2>&1
        $LASTEXITCODE | Should -Be 126
        "$output" | Should -Match $name
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'stops recovery (exit 126) at a hole and ends it (exit 1) past the newest segment' {
        $a = & $SwitchAndWait
        $b = & $SwitchAndWait
        Remove-Item -LiteralPath (@(& $StoredFiles | Where-Object Name -like "$a.*")[0].FullName)
        $target = Join-Path $TestDrive 'hole'
        $output = & $Tool archive-get --repository $Repo.Path --key-file $Repo.KeyFile --system-id $SystemId $a $target 2>&1
        $LASTEXITCODE | Should -Be 126
        "$output" | Should -Match "$a is missing"
        $future = $b.Substring(0, 16) + '{0:X8}' -f ([Convert]::ToUInt32($b.Substring(16), 16) + 5)
        & $Tool archive-get --repository $Repo.Path --key-file $Repo.KeyFile --system-id $SystemId $future $target 2>&1 | Should -BeNullOrEmpty
        $LASTEXITCODE | Should -Be 1
    }
}
