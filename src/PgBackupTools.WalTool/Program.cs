using PgBackupTools.Engine.Wal;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

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
