@{
    Synopsis    = 'Starts streaming a server''s WAL into a repository with pg_receivewal, for a recovery point seconds behind the server.'
    Description = @'
Start-PgWalStream starts pgbt-wal stream in the background, detached so that it keeps running after this PowerShell ends: on Linux and macOS in its own session (no hang-up from the terminal), on Windows without a console, in its own process group and out of the job object of the PowerShell where the job allows it (Task Scheduler, remoting and CI agents end the processes of their jobs). pgbt-wal runs pg_receivewal against a physical replication slot (created if it does not exist; -Slot, default pgbackuptools) into a spool folder, and moves every completed WAL segment (and timeline history file) from there into the repository's WAL archive within half a second, compressed, encrypted and checked exactly like archive_command does. The server's configuration is not changed: it only needs a role with the REPLICATION attribute (or a superuser), a 'replication' line in pg_hba.conf, and wal_level replica with max_wal_senders above zero (the defaults).

pg_receivewal receives WAL as the server writes it; the segment being filled stays in the spool as <segment>.partial until it is complete, and a copy of it is stored in the repository every 5 seconds while it grows, so a restore to the latest point (Restore-PgBackup -Type Physical -Latest) loses only the last seconds even on a quiet server. When the connection is lost or the server restarts, pg_receivewal is started again every 5 seconds; the slot makes the server keep the WAL meanwhile. A slot that is never read keeps WAL on the server without limit: stop streaming with Stop-PgWalStream and drop the slot (SELECT pg_drop_replication_slot('pgbackuptools')) when it is no longer wanted, or set max_slot_wal_keep_size.

The command returns once pg_receivewal is streaming from the slot. If it cannot (wrong password, no replication permission in pg_hba.conf, no pg_receivewal installed), the stream is stopped again and its log is shown in the error. No secret is on any command line: the password reaches pgbt-wal and pg_receivewal through a 0600 password file in the spool folder (removed by Stop-PgWalStream), a passphrase through the environment variable PGBACKUPTOOLS_PASSPHRASE; a key file is passed by path.

The spool folder (default <repository>/wal-spool/<slot>) holds status.json (what Get-PgWalStream shows), pgbt-wal.pid, stream.log (messages of pgbt-wal and pg_receivewal) and, while it runs, the password file. The pid file holds the process id and its start time, so a later process given the same id is never taken for the stream. A stream is stopped by a stop file in the spool, which it looks for every half second (Windows has no signals), and on Linux and macOS also by SIGTERM.

On Windows, when this PowerShell runs inside a job object that forbids leaving it, the stream is started inside that job and a warning says it ends with the job; when that job also kills its processes as it closes (an IDE terminal, a remote session), the command fails with DetachedStartInJob instead of starting a stream that would die with it. For a stream that starts at boot, run pgbt-wal stream itself as a scheduled task (see the notes).
'@
    Parameters  = @{
        Repository       = 'Path of the repository the WAL goes into.'
        KeyFile          = 'Key file of an encrypted repository; pgbt-wal is given its path.'
        Passphrase       = 'Passphrase of an encrypted repository; pgbt-wal gets it in its environment (PGBACKUPTOOLS_PASSPHRASE), never on its command line.'
        Host             = @{ Description = 'Host name or address of the PostgreSQL server, or a Unix-socket directory.'; Default = 'localhost' }
        Port             = @{ Description = 'TCP port of the PostgreSQL server.'; Default = '5432' }
        Credential       = 'User name and password of a role with the REPLICATION attribute. Without it the usual libpq defaults apply (current user, PGPASSWORD, ~/.pgpass).'
        ConnectionString = 'A full connection string (key=value form, as accepted by Npgsql/libpq) instead of -Host, -Port and -Credential.'
        LogPath          = 'Path of a log file for this command''s own messages (the stream itself logs to stream.log in the spool folder).'
        Slot             = @{ Description = 'Name of the physical replication slot to stream from; created when it does not exist. Each stream needs its own slot.'; Default = 'pgbackuptools' }
        SpoolPath        = @{ Description = 'Folder pg_receivewal writes into. Keep it on the same storage as the repository.'; Default = '<Repository>/wal-spool/<Slot>' }
        Compression      = 'How stored segments are compressed: Zstd (default), Gzip or None.'
        CompressionLevel = 'Compression level (zstd 1-19, default 1: WAL compresses almost as well as at 3, and faster; gzip 1-9, default 6).'
        Synchronous      = 'Runs pg_receivewal with --synchronous: every piece of received WAL is flushed to the spool at once and reported to the server as flushed (the slot then follows more closely). Costs an fsync per write.'
        PartialInterval  = @{ Description = 'How often the segment being filled is copied into the repository while it grows: the recovery point is about this far behind the server. 0 copies only complete segments.'; Default = '5 seconds' }
        StartTimeout     = @{ Description = 'Seconds to wait for pg_receivewal to be streaming before giving up and stopping the stream again.'; Default = '30' }
        ToolPath         = 'The pgbt-wal to run, when not the copy shipped in this module (bin/<platform>/pgbt-wal).'
    }
    Examples    = @(
        @{
            Code    = "`$cred = Get-Credential replicator`nStart-PgWalStream -Repository /backups/prod -KeyFile /etc/pgbackup/prod.key -Host db1 -Credential `$cred"
            Remarks = 'Streams the WAL of db1 into the repository through the slot pgbackuptools.'
        }
        @{
            Code    = "Start-PgWalStream -Repository /backups/prod -KeyFile /etc/pgbackup/prod.key -ConnectionString 'host=db1 user=replicator sslmode=require' -Slot prod_stream -ErrorAction Stop"
            Remarks = 'From a scheduled task at boot: the password comes from ~/.pgpass of the task''s account; -ErrorAction Stop makes the task fail visibly when streaming cannot start.'
        }
    )
    Notes       = @'
For a service, run the native program directly instead; it runs in the foreground until SIGTERM and takes the server from the libpq environment. Example systemd unit (/etc/systemd/system/pgbackup-wal-stream.service):

[Unit]
Description=Stream PostgreSQL WAL into /backups/prod
After=network-online.target postgresql.service

[Service]
User=pgbackup
Environment=PGHOST=db1 PGUSER=replicator PGPASSFILE=/etc/pgbackup/replicator.pgpass
ExecStart=/opt/pgbackuptools/bin/linux-x64/pgbt-wal stream --repository /backups/prod --key-file /etc/pgbackup/prod.key --spool /backups/prod/wal-spool/pgbackuptools --slot pgbackuptools
Restart=always
RestartSec=5
KillSignal=SIGTERM

[Install]
WantedBy=multi-user.target

On Windows, register the same command as a scheduled task that starts at boot under a service account, with no time limit and restarts on failure (Task Scheduler's default limit of three days would end it):

$action = New-ScheduledTaskAction -Execute 'C:\Program Files\PowerShell\Modules\PgBackupTools\bin\win-x64\pgbt-wal.exe' -Argument 'stream --repository D:\Backups\prod --key-file D:\Keys\prod.key --spool D:\Backups\prod\wal-spool\pgbackuptools --slot pgbackuptools'
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1)
Register-ScheduledTask -TaskName 'PgBackupTools WAL stream' -Action $action -Trigger (New-ScheduledTaskTrigger -AtStartup) -Settings $settings -User 'DOMAIN\pgbackup$'

Set PGHOST, PGUSER and PGPASSFILE as environment variables of the task's account (or put the password in its %APPDATA%\postgresql\pgpass.conf). Stop-PgWalStream -Repository D:\Backups\prod stops it cleanly through the stop file, and Get-PgWalStream shows it; stopping the task ends pgbt-wal and pg_receivewal at once, which loses nothing (the next start resumes from the beginning of the segment being filled, which the slot kept).

pgbt-wal stream exits 0 after its stop file, SIGTERM or SIGINT (having stored what pg_receivewal completed), 1 when it cannot run (bad options, wrong key, another stream on the same spool). When pgbt-wal is run by systemd, Get-PgWalStream -SpoolPath shows its status too. Start-PgWalStream itself should not run as the main process of a systemd service: the stream it starts would be stopped with the service's cgroup when the command returns.
'@
    Links       = @('Stop-PgWalStream', 'Get-PgWalStream', 'Get-PgWalArchiveCommand', 'Restore-PgBackup')
}
