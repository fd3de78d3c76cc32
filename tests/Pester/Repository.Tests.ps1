# Repository on disk: private permissions, key files, initialisation rules, and integrity of stored backups (a flipped
# byte must stop a restore and leave no database behind). Run through tests/Pester/Invoke-PesterSuite.ps1.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root

    $script:SourceDb = 'integrity source'
    New-PgbtDatabase $Server $SourceDb ((Get-PgbtRichDatabaseSql -Rows 200 -NoLargeObjects) + "`nSELECT lo_from_bytea(0, convert_to(repeat('blob ', 1000), 'UTF8'));")

    $script:GetTempDatabases = { @(Get-PgbtDatabaseNames $Server | Where-Object { $_ -like 'pgbt_*' }) }
    # Flips every bit of one byte in place.
    $script:FlipByte = {
        param([string] $Path, [long] $Offset)
        $fs = [System.IO.File]::Open($Path, 'Open', 'ReadWrite')
        try {
            $null = $fs.Seek($Offset, 'Begin')
            $b = $fs.ReadByte()
            $null = $fs.Seek($Offset, 'Begin')
            $fs.WriteByte($b -bxor 0xFF)
        } finally { $fs.Dispose() }
    }
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Permissions' {
    It 'keeps every repository file 0600 and every folder 0700 (<Kind>)' -ForEach @(
        @{ Kind = 'KeyFile' }
        @{ Kind = 'None' }
    ) {
        $repo = New-PgbtRepository -Root $Root -Kind $Kind
        $key = $repo.KeyArgs
        $null = Invoke-PgBackup -Repository $repo.Path -Database $SourceDb @Conn @key -ErrorAction Stop
        $null = Invoke-PgBackup -Repository $repo.Path -Database $SourceDb -Compression Gzip @Conn @key -ErrorAction Stop

        $dirs = @((Get-Item -LiteralPath $repo.Path)) + @(Get-ChildItem -LiteralPath $repo.Path -Recurse -Directory -Force)
        $files = @(Get-ChildItem -LiteralPath $repo.Path -Recurse -File -Force)
        $files.Count | Should -BeGreaterThan 6
        $wrong = @(
            foreach ($d in $dirs) { $m = Get-PgbtFileMode $d.FullName; if ($m -ne '700') { "$m $($d.FullName)" } }
            foreach ($f in $files) { $m = Get-PgbtFileMode $f.FullName; if ($m -ne '600') { "$m $($f.FullName)" } }
        )
        $wrong | Should -BeNullOrEmpty
    }

    It 'writes key files 0600' {
        $path = Join-Path $Root 'perm.key'
        $fi = New-PgBackupKeyFile -Path $path
        $fi | Should -BeOfType [System.IO.FileInfo]
        $fi.FullName | Should -Be $path
        Get-PgbtFileMode $path | Should -Be '600'
        (Get-Item -LiteralPath $path).Length | Should -BeGreaterThan 0
    }
}

Describe 'Key files and initialisation' {
    It 'New-PgBackupKeyFile refuses to overwrite an existing file' {
        $path = Join-Path $Root 'twice.key'
        $null = New-PgBackupKeyFile -Path $path
        $before = [System.IO.File]::ReadAllBytes($path)
        $out = New-PgBackupKeyFile -Path $path -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'KeyFileExists'
        [System.IO.File]::ReadAllBytes($path) | Should -Be $before
    }

    It 'New-PgBackupKeyFile refuses to overwrite any existing file' {
        $path = Join-Path $Root 'precious.txt'
        Set-Content -LiteralPath $path -Value 'do not lose me'
        $null = New-PgBackupKeyFile -Path $path -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'KeyFileExists'
        Get-Content -LiteralPath $path | Should -Be 'do not lose me'
    }

    It 'two key files differ' {
        $a = Join-Path $Root 'a.key'; $b = Join-Path $Root 'b.key'
        $null = New-PgBackupKeyFile -Path $a; $null = New-PgBackupKeyFile -Path $b
        [System.IO.File]::ReadAllBytes($a) | Should -Not -Be ([System.IO.File]::ReadAllBytes($b))
    }

    It 'Initialize-PgBackupRepository refuses a non-empty folder and leaves it as it was' {
        $folder = Join-Path $Root 'not-empty'
        $null = New-Item -ItemType Directory -Path $folder
        Set-Content -LiteralPath (Join-Path $folder 'data.txt') -Value 'x'
        $keyFile = Join-Path $Root 'not-empty.key'
        $null = New-PgBackupKeyFile -Path $keyFile
        $out = Initialize-PgBackupRepository -Repository $folder -KeyFile $keyFile -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'RepositoryFolderNotEmpty'
        @(Get-ChildItem -LiteralPath $folder -Force -Recurse | ForEach-Object Name) | Should -Be @('data.txt')
    }

    It 'Initialize-PgBackupRepository refuses an existing repository' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $config = [System.IO.File]::ReadAllBytes((Join-Path $repo.Path 'config.json'))
        $null = Initialize-PgBackupRepository -Repository $repo.Path -NoEncryption -ErrorAction SilentlyContinue -ErrorVariable err -WarningAction SilentlyContinue
        @($err).Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -Match '^(RepositoryAlreadyInitialized|RepositoryFolderNotEmpty),'
        [System.IO.File]::ReadAllBytes((Join-Path $repo.Path 'config.json')) | Should -Be $config
    }

    It 'Initialize-PgBackupRepository returns a RepositoryInfo' {
        $keyFile = Join-Path $Root 'info.key'
        $null = New-PgBackupKeyFile -Path $keyFile
        $path = Join-Path $Root 'info-repo'
        $info = Initialize-PgBackupRepository -Repository $path -KeyFile $keyFile -ErrorAction Stop
        $info.PSObject.TypeNames | Should -Contain 'PgBackupTools.RepositoryInfo'
        $info.Encrypted | Should -BeTrue
        Join-Path $path 'config.json' | Should -Exist
    }
}

Describe 'Integrity' {
    It 'a flipped byte in the stored dump (<Kind>, -Jobs <Jobs>) fails the restore with IntegrityCheckFailed and leaves no database' -ForEach @(
        @{ Kind = 'KeyFile'; Compression = 'Zstd'; Jobs = 1 }
        @{ Kind = 'KeyFile'; Compression = 'Zstd'; Jobs = 2 }
        @{ Kind = 'None'; Compression = 'None'; Jobs = 1 }
        @{ Kind = 'None'; Compression = 'None'; Jobs = 2 }
    ) {
        $repo = New-PgbtRepository -Root $Root -Kind $Kind
        $key = $repo.KeyArgs
        $b = Invoke-PgBackup -Repository $repo.Path -Database $SourceDb -Compression $Compression @Conn @key -ErrorAction Stop
        $dump = @(Get-ChildItem -LiteralPath $b.Path -File -Filter 'database.pgdump*')
        $dump.Count | Should -Be 1
        if ($Kind -eq 'None') {
            # Inside a row value: pg_restore itself would accept the damaged archive, only the checksum can tell.
            $latin1 = [System.Text.Encoding]::Latin1
            $offset = $latin1.GetString([System.IO.File]::ReadAllBytes($dump[0].FullName)).IndexOf('item 17', [StringComparison]::Ordinal)
            $offset | Should -BeGreaterThan 0
            & $FlipByte $dump[0].FullName ($offset + 5)
        } else {
            & $FlipByte $dump[0].FullName ([long]($dump[0].Length / 2))
        }

        $target = "corrupt $Kind $Jobs"
        $out = Restore-PgBackup -InputObject $b -TargetDatabase $target -Jobs $Jobs @Conn @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'IntegrityCheckFailed'
        Test-PgbtDatabase $Server $target | Should -BeFalse -Because 'a restore of damaged data must not leave the target behind'
        & $GetTempDatabases | Should -BeNullOrEmpty -Because 'no pgbt_restore_* database may remain'
    }

    It 'a flipped byte in the first chunk, where the table of contents is, fails a -Jobs 2 restore (read while the database is created) and leaves no database' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $b = Invoke-PgBackup -Repository $repo.Path -Database $SourceDb @Conn @key -ErrorAction Stop
        $dump = Get-ChildItem -LiteralPath $b.Path -File -Filter 'database.pgdump*'
        & $FlipByte $dump.FullName 4096
        $target = 'corrupt toc'
        $out = Restore-PgBackup -InputObject $b -TargetDatabase $target -Jobs 2 @Conn @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'IntegrityCheckFailed'
        Test-PgbtDatabase $Server $target | Should -BeFalse
        & $GetTempDatabases | Should -BeNullOrEmpty -Because 'no pgbt_restore_* database may remain'
    }

    It 'a flipped byte in a stored dump does not harm an existing target restored with -Force' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $b = Invoke-PgBackup -Repository $repo.Path -Database $SourceDb @Conn @key -ErrorAction Stop
        $dump = Get-ChildItem -LiteralPath $b.Path -File -Filter 'database.pgdump*'
        & $FlipByte $dump.FullName ([long]($dump.Length - 10))
        $target = 'corrupt existing'
        New-PgbtDatabase $Server $target 'CREATE TABLE precious (v text); INSERT INTO precious VALUES (''still here'');'
        $null = Restore-PgBackup -InputObject $b -TargetDatabase $target -Force @Conn @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        Assert-PgbtErrorId $err 'IntegrityCheckFailed'
        (Get-PgbtScalar $Server $target 'SELECT v FROM precious') | Should -Be 'still here'
        & $GetTempDatabases | Should -BeNullOrEmpty
    }

    It 'a tampered manifest is reported by Get-PgBackup with the key and refused by Restore-PgBackup' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $b = Invoke-PgBackup -Repository $repo.Path -Database $SourceDb @Conn @key -ErrorAction Stop
        $manifest = Join-Path $b.Path 'manifest.json'
        $manifest | Should -Exist
        $text = [System.IO.File]::ReadAllText($manifest)
        $text.Contains('"totalRows"', [StringComparison]::OrdinalIgnoreCase) | Should -BeTrue
        $tampered = [regex]::Replace($text, '("totalRows"\s*:\s*)(\d+)', { param($m) $m.Groups[1].Value + ([long]$m.Groups[2].Value + 1) }, 'IgnoreCase')
        $tampered | Should -Not -Be $text
        [System.IO.File]::WriteAllText($manifest, $tampered)

        $listed = @(Get-PgBackup -Repository $repo.Path @key -ErrorAction SilentlyContinue -ErrorVariable listErr)
        Assert-PgbtErrorId $listErr 'IntegrityCheckFailed'
        $listed | Where-Object Id -eq $b.Id | Should -BeNullOrEmpty
        $null = Restore-PgBackup -Repository $repo.Path -Id $b.Id -TargetDatabase 'tampered target' @Conn @key -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable restoreErr
        Assert-PgbtErrorId $restoreErr 'IntegrityCheckFailed'
        Test-PgbtDatabase $Server 'tampered target' | Should -BeFalse
    }
}
