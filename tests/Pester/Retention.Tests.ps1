# Remove-PgBackupExpired against a real repository and a throwaway PostgreSQL: -WhatIf, count-based policies on
# same-day backups, removal from listing and disk, restorability of what is kept, a concurrent backup, and a run
# killed in the middle of a removal.
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

    function Add-EmptyFiles([string] $Directory, [int] $Count) {
        foreach ($i in 1..$Count) { [System.IO.File]::Create("$Directory/padding-$i").Dispose() }
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

    It 'leaves a consistent repository when killed in the middle of a removal, and the next run finishes the job' {
        $repo = New-PgbtRepository -Root $Root -Kind KeyFile
        $key = $repo.KeyArgs
        $made = @(New-Backups $repo.Path $key 4)
        $kept = @($made | Sort-Object StartTime -Descending | Select-Object -First 2)
        $expired = @($made | Where-Object Id -notin $kept.Id)
        # Deleting a backup folder takes well under a millisecond, too short to kill the run inside it. With 15,000
        # extra files each, deleting an expired backup (after its rename to .deleting-<id>) takes over 100 ms, and
        # the kill lands while its files are being deleted.
        $expired | ForEach-Object { Add-EmptyFiles $_.Path 15000 }
        $entries = @{}
        $expired | ForEach-Object { $entries[$_.Id] = [System.IO.Directory]::GetFileSystemEntries($_.Path).Count }
        $script = Join-Path $TestDrive 'remove-expired.ps1'
        Set-Content -LiteralPath $script -Value @'
param([string] $Module, [string] $Repository, [string] $KeyFile)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$null = Remove-PgBackupExpired -Repository $Repository -KeyFile $KeyFile -KeepDaily 0 -KeepWeekly 0 -KeepMonthly 0 -KeepLast 2 -Force
'@
        $backups = Join-Path $repo.Path 'backups'
        $deletionBegun = {
            foreach ($folder in [System.IO.Directory]::GetDirectories($backups, '.deleting-*')) {
                $id = [System.IO.Path]::GetFileName($folder).Substring('.deleting-'.Length)
                try { if ([System.IO.Directory]::GetFileSystemEntries($folder).Count -lt $entries[$id]) { return $true } } catch [System.IO.DirectoryNotFoundException] { }
            }
            $false
        }

        $child = Start-PgbtPwshScript -File $script -Arguments @('-Module', (Get-PgbtModulePath), '-Repository', $repo.Path, '-KeyFile', $repo.KeyFile)
        $null = Wait-PgbtCondition -TimeoutSeconds 120 -IntervalMilliseconds 1 -Condition { $child.HasExited -or (& $deletionBegun) }
        $finishedBeforeKill = $child.HasExited
        $child.Kill()   # SIGKILL
        $child.WaitForExit()

        $finishedBeforeKill | Should -BeFalse -Because "the kill must land during the removal (child output: $($child.StandardOutput.ReadToEnd()) $($child.StandardError.ReadToEnd()))"
        $halfDeleted = @(Get-ChildItem -LiteralPath $backups -Force -Directory -Filter '.deleting-*')
        $halfDeleted.Count | Should -Be 1 -Because 'the kill must land while an expired backup was being deleted'
        $halfDeletedId = $halfDeleted[0].Name.Substring('.deleting-'.Length)
        $halfDeletedId | Should -BeIn $expired.Id
        [System.IO.Directory]::GetFileSystemEntries($halfDeleted[0].FullName).Count | Should -BeLessThan $entries[$halfDeletedId] -Because 'the kill must land after its deletion began'
        $listed = @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key -ErrorAction Stop)
        $listed.Id | Should -Not -Contain $halfDeletedId
        @($listed | Where-Object Id -in $expired.Id).Count | Should -BeGreaterThan 0 -Because 'the kill must land before the run removed every expired backup'
        $listed | ForEach-Object { $_.Status | Should -Be 'Complete' }
        $listed.Id | Should -Be @($made | Where-Object { Test-Path -LiteralPath $_.Path } | Sort-Object StartTime -Descending).Id
        foreach ($b in $listed) {
            (Test-PgBackup -InputObject $b -Level Checksum @key -ErrorAction Stop).Status | Should -Be 'Passed' -Because "$($b.Id) is listed"
        }

        $second = @(Remove-PgBackupExpired -Repository $repo.Path @CountOnly -KeepLast 2 @key -Force -Verbose -ErrorAction Stop 4>&1)

        $verbose = @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        "$verbose" | Should -Match 'Finished 1 deletion\(s\) an earlier run left incomplete'
        $decisions = @($second | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        ($decisions | Where-Object Action -eq 'Keep').Id | Sort-Object | Should -Be ($kept.Id | Sort-Object)
        Get-PgbtBackupFolderEntries $repo.Path | Sort-Object | Should -Be ($kept.Id | Sort-Object)
        @(Get-PgBackup -Repository $repo.Path -IncludeIncomplete @key).Id | Sort-Object | Should -Be ($kept.Id | Sort-Object)
    }
}
