using Xunit;

namespace PgBackupTools.Tests.Infrastructure;

/// <summary>Tests marked [Collection("postgres")] share one server and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
