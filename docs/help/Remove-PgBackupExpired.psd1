@{
    Synopsis    = 'Removes the backups a retention policy no longer keeps, and abandoned backup runs.'
    Description = @'
Remove-PgBackupExpired applies a retention policy to each database of a repository separately and returns one PgBackupTools.RetentionDecision per backup, saying whether it is kept or removed and why.

Backups are placed in calendar buckets by the start time recorded in their manifest (never by names or file times), in the local time zone unless -Utc is given; weeks are ISO weeks. In each bucket the newest complete backup is kept, for the newest -KeepDaily days, -KeepWeekly weeks, -KeepMonthly months and -KeepYearly years that have backups. -KeepLast and -KeepWithin keep the newest backups regardless of buckets.

Whatever the policy, these are never removed: the newest complete backup of each database, the newest backup whose verification passed and every backup after it, backups still being written, backups a restore or verification is reading right now, and backups dated in the future (clock skew). A backup much smaller than the recent backups of its database (an empty dump) does not fill a bucket, so a series of broken backups does not push good ones out; it is kept only within -KeepLast or -KeepWithin. Abandoned runs are removed once -IncompleteGracePeriod has passed since they started.

Physical backups are grouped under database '(cluster)'. After removing backups, archived WAL that no remaining physical backup needs (older than the start of the oldest one) is removed too, oldest first; a cluster without any physical backup keeps all its WAL, and timeline history files always stay.

Removal is crash-safe and takes a repository-wide retention lock, so it can run while Invoke-PgBackup writes new backups. ConfirmImpact is High: use -Force or -Confirm:$false in scheduled tasks, and -WhatIf to see the decisions without deleting anything. The space freed is written to the information stream.
'@
    Parameters  = @{
        Repository            = 'Path of the repository.'
        Database              = 'Applies retention only to these databases (wildcards allowed). Other databases are not touched.'
        KeepDaily             = @{ Description = 'Number of days, newest first, for which the newest backup of the day is kept.'; Default = '7' }
        KeepWeekly            = @{ Description = 'Number of ISO weeks for which the newest backup of the week is kept.'; Default = '4' }
        KeepMonthly           = @{ Description = 'Number of months for which the newest backup of the month is kept.'; Default = '12' }
        KeepYearly            = @{ Description = 'Number of years for which the newest backup of the year is kept.'; Default = '0' }
        KeepLast              = @{ Description = 'Number of newest complete backups of each database that are always kept.'; Default = '1' }
        KeepWithin            = 'Keeps every complete backup that started within this time span before now.'
        AsOf                  = 'Decides as if it were this time instead of now (a date without a time zone is read in the bucket time zone).'
        Utc                   = 'Forms day, week, month and year buckets in UTC instead of the local time zone.'
        IncompleteGracePeriod = @{ Description = 'How long after its start an abandoned backup run is kept before it is removed.'; Default = '1 day' }
        Force                 = 'Removes without asking for confirmation (-WhatIf still only shows what would be removed).'
        Passphrase            = 'Passphrase of an encrypted repository; when given, every manifest is authenticated before anything is removed.'
        KeyFile               = 'Path of the key file of an encrypted repository; when given, every manifest is authenticated before anything is removed.'
    }
    Examples    = @(
        @{
            Code    = 'Remove-PgBackupExpired -Repository /backups/prod -KeyFile ~/.pgbackup/prod.key -WhatIf'
            Remarks = 'Shows what the default policy (7 daily, 4 weekly, 12 monthly) would remove, without removing anything.'
        }
        @{
            Code    = 'Remove-PgBackupExpired -Repository /backups/prod -KeyFile ~/.pgbackup/prod.key -KeepDaily 14 -KeepYearly 5 -Utc -Force -InformationAction Continue'
            Remarks = 'Applies a policy in a scheduled task and prints how much space was freed.'
        }
        @{
            Code    = 'Remove-PgBackupExpired /backups/prod shop -KeepDaily 0 -KeepWeekly 0 -KeepMonthly 0 -KeepLast 2 -Confirm:$false | Where-Object Action -eq Remove'
            Remarks = 'Keeps only the two newest backups of the database shop and lists the removed ones.'
        }
    )
    Outputs     = @{ 'PgBackupTools.RetentionDecision' = 'One object per backup considered: Id, Database, StartTime, SizeBytes, Status, Action (Keep or Remove) and Reasons.' }
    Links       = @('Get-PgBackup', 'Invoke-PgBackup')
}
