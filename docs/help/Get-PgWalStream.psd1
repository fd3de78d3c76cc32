@{
    Synopsis    = 'Shows the WAL streams of a repository: whether each runs, and the last segment it stored and when.'
    Description = @'
Get-PgWalStream reads the status.json and pgbt-wal.pid files that pgbt-wal stream keeps in its spool folder, and checks that the process still runs. Without -Slot it lists every stream in the default place (<repository>/wal-spool/<slot>); -SpoolPath shows a stream with another spool, for example one run by systemd.

State is starting, running, retrying (pg_receivewal ended, for instance because the server is down, and is started again every 5 seconds), stopped, or failed. A stream whose process is gone without having stopped cleanly shows as failed with Running false. LastSegment and LastPushed tell how far the repository's WAL archive is; LastError is the most recent problem; stream.log in the spool folder has the details.
'@
    Parameters  = @{
        Repository = 'Path of the repository.'
        Slot       = 'Only the stream of this slot. Without it, every stream with a spool in <repository>/wal-spool.'
        SpoolPath  = 'The spool folder of one stream, when it is not in the default place.'
    }
    Examples    = @(
        @{
            Code    = 'Get-PgWalStream -Repository /backups/prod'
            Remarks = 'Lists the streams of the repository with their state and last stored segment.'
        }
        @{
            Code    = "`$s = Get-PgWalStream -Repository /backups/prod -Slot pgbackuptools`nif (-not `$s.Running -or `$s.LastPushed -lt (Get-Date).AddHours(-1)) { Write-Warning `"WAL stream: `$(`$s.LastError)`" }"
            Remarks = 'A simple check for a monitoring script.'
        }
    )
    Links       = @('Start-PgWalStream', 'Stop-PgWalStream', 'Get-PgBackupHealth')
}
