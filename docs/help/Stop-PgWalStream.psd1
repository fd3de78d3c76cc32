@{
    Synopsis    = 'Stops a WAL stream started by Start-PgWalStream, after it has stored what pg_receivewal completed.'
    Description = @'
Stop-PgWalStream finds the pgbt-wal stream of a slot through the pgbt-wal.pid and status.json files in its spool folder, checks that the process really is pgbt-wal stream (by name and start time; a reused process id is left alone), and asks it to stop with a stop file in the spool (and SIGTERM on Linux and macOS). pgbt-wal stops pg_receivewal, which closes the segment it was filling as <segment>.partial (on Windows, which has no signals, pg_receivewal is ended at once), stores every completed segment, and exits; the next Start-PgWalStream resumes from the start of the .partial segment, and the replication slot kept the server's WAL meanwhile, so no WAL is missing.

Once the process is gone, the password file in the spool folder is removed. The result is the final state of the stream (Running false, the last segment stored). When no stream runs, a warning says so and the leftover files are removed.

The replication slot stays on the server so that streaming can resume. Drop it when streaming is given up for good: SELECT pg_drop_replication_slot('pgbackuptools').
'@
    Parameters  = @{
        Repository = 'Path of the repository the stream writes into.'
        Slot       = @{ Description = 'The slot of the stream to stop.'; Default = 'pgbackuptools' }
        SpoolPath  = @{ Description = 'The stream''s spool folder, when it was started with -SpoolPath.'; Default = '<Repository>/wal-spool/<Slot>' }
        Timeout    = @{ Description = 'Seconds to wait for the stream to exit. When it has not exited by then, an error (WalStreamStopTimeout) is written and it keeps running.'; Default = '60' }
    }
    Examples    = @(
        @{
            Code    = 'Stop-PgWalStream -Repository /backups/prod'
            Remarks = 'Stops the stream of the slot pgbackuptools.'
        }
        @{
            Code    = 'Get-PgWalStream -Repository /backups/prod | Where-Object Running | Stop-PgWalStream'
            Remarks = 'Stops every running stream of the repository.'
        }
    )
    Links       = @('Start-PgWalStream', 'Get-PgWalStream')
}
