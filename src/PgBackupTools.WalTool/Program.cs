using System.Runtime.InteropServices;
using PgBackupTools.Engine.Wal;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

// systemd and Stop-PgWalStream stop `pgbt-wal stream` with SIGTERM: stop pg_receivewal, store what completed, exit 0.
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

if (args is ["--help"] or ["-h"] or [])
{
    Console.Out.WriteLine(WalToolOptions.Usage);
    return args.Length == 0 ? 2 : 0;
}

if (args is ["--version"])
{
    Console.Out.WriteLine("pgbt-wal " + typeof(WalTool).Assembly.GetName().Version);
    return 0;
}

return await WalTool.RunAsync(args, Console.Error, Environment.CurrentDirectory, TimeProvider.System, cancel.Token);
