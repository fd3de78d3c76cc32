# Remove-PgBackupExpired against a real repository and a throwaway PostgreSQL: -WhatIf, count-based policies on
# same-day backups, removal from listing and disk, restorability of what is kept, and a concurrent backup.
# Dated histories (days, weeks, months) are covered by the xUnit planner tests: start times cannot be faked here.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root
    $script:Db = 'retention db'
    New-PgbtDatabase $Server $Db 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;'
    $script:CountOnly = @{ KeepDaily = 0; KeepWeekly = 0; KeepMonthly = 0 }

    function New-Backups([string] $Repository, [hashtable] $Key, [int] $Count) {
        1..$Count | ForEach-Object { Invoke-PgBackup -Repository $Repository -Database $Db @Conn @Key -ErrorAction Stop }
    }
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Remove-PgBackupExpired' {
    It '-WhatIf returns the decisions and deletes nothing' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $made = @(New-Backups $repo.Path $key 3)

        $decisions = @(Remove-PgBackupExpired -Repository $repo.Path @CountOnly -KeepLast 1 @key -WhatIf -ErrorAction Stop)

        $decisions.Count | Should -Be 3
        $decisions[0].PSObject.TypeNames | Should -Contain 'PgBackupTools.RetentionDecision'
        @($decisions | Where-Object Action -eq 'Remove').Count | Should -Be 2
        ($decisions | Where-Object Action -eq 'Keep').Id | Should -Be $made[-1].Id
        ($decisions | Where-Object Action -eq 'Keep').Reasons | Should -Contain 'newest complete'
        @(Get-PgBackup -Repository $repo.Path @key).Count | Should -Be 3
        $made | ForEach-Object { $_.Path | Should -Exist }
    }

    It 'with -KeepLast 2 and no calendar buckets removes all but the two newest, which still restore' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $made = @(New-Backups $repo.Path $key 4)
        $newestTwo = @($made | Sort-Object StartTime -Descending | Select-Object -First 2)

        $decisions = @(Remove-PgBackupExpired -Repository $repo.Path -Database $Db @CountOnly -KeepLast 2 @key -Force -ErrorAction Stop)

        ($decisions | Where-Object Action -eq 'Keep').Id | Sort-Object | Should -Be ($newestTwo.Id | Sort-Object)
        ($decisions | Where-Object Action -eq 'Remove').Reasons | Should -Contain 'not kept by policy'
        $listed = @(Get-PgBackup -Repository $repo.Path @key)
        $listed.Id | Sort-Object | Should -Be ($newestTwo.Id | Sort-Object)
        $made | Where-Object { $_.Id -notin $newestTwo.Id } | ForEach-Object { $_.Path | Should -Not -Exist }
        @(Get-ChildItem -LiteralPath (Join-Path $repo.Path 'backups') -Force).Name | Sort-Object | Should -Be ($newestTwo.Id | Sort-Object)

        foreach ($b in $newestTwo) {
            $target = "kept $($b.Id)"
            $null = Restore-PgBackup -InputObject $b -TargetDatabase $target @Conn @key -Confirm:$false -ErrorAction Stop
            Get-PgbtScalar $Server $target 'SELECT count(*) FROM t' | Should -Be '2000'
            Remove-PgbtDatabase $Server $target
        }
    }

    It 'reports the space it freed on the information stream' {
        $repo = New-PgbtRepository -Root $Root -Kind None
        $made = @(New-Backups $repo.Path @{} 2)

        $null = Remove-PgBackupExpired -Repository $repo.Path @CountOnly -Confirm:$false -InformationVariable info -ErrorAction Stop

        $summary = "$($info | Select-Object -Last 1)"
        $summary | Should -Match 'Removed 1 of 2 backup'
        $summary -match 'freed (\d+) bytes' | Should -BeTrue
        [long]$Matches[1] | Should -BeGreaterThan $made[0].SizeBytes -Because 'the folder also held its manifest'
        $made[0].Path | Should -Not -Exist
    }

    It 'refuses to run with the wrong key and deletes nothing' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $null = New-Backups $repo.Path $key 2
        $other = New-PgbtRepository -Root $Root -Kind KeyFile

        { Remove-PgBackupExpired -Repository $repo.Path @CountOnly -KeyFile $other.KeyFile -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'WrongKey*'
        @(Get-PgBackup -Repository $repo.Path @key).Count | Should -Be 2
    }

    It 'is safe while Invoke-PgBackup of the same database runs' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $null = New-Backups $repo.Path $key 2
        $module = Get-PgbtModulePath
        $job = Start-ThreadJob -ArgumentList $module, $repo.Path, $Db, $Conn, $repo.KeyArgs -ScriptBlock {
            param($Module, $Repository, $Database, $Conn, $Key)
            Import-Module $Module
            1..2 | ForEach-Object { Invoke-PgBackup -Repository $Repository -Database $Database @Conn @Key -LockTimeout '00:00:30' -ErrorAction Stop }
        }
        $runs = 0
        while ($job.State -in 'NotStarted', 'Running') {
            $null = Remove-PgBackupExpired -Repository $repo.Path @CountOnly -KeepLast 1 @key -Force -ErrorAction Stop
            $runs++
        }
        $made = @(Receive-Job $job -Wait -AutoRemoveJob -ErrorAction Stop)

        $runs | Should -BeGreaterThan 0
        $made.Count | Should -Be 2
        $made | ForEach-Object { $_.Status | Should -Be 'Complete' }
        $newest = $made | Sort-Object StartTime -Descending | Select-Object -First 1
        (Get-PgBackup -Repository $repo.Path -Latest @key).Id | Should -Be $newest.Id
        $target = 'restored after concurrent retention'
        $null = Restore-PgBackup -InputObject $newest -TargetDatabase $target @Conn @key -Confirm:$false -ErrorAction Stop
        Get-PgbtScalar $Server $target 'SELECT count(*) FROM t' | Should -Be '2000'
        @(Get-ChildItem -LiteralPath (Join-Path $repo.Path 'backups') -Force -Filter '.deleting-*').Count | Should -Be 0
    }
}
