using System.Text;
using System.Text.Json.Nodes;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Repository;

/// <summary>
/// catalog.json and manifest.json round trip, and files without a list that later versions added still read with an
/// empty list: compile-time JSON metadata (used for manifests) sets an absent init-only property to null instead.
/// </summary>
public class RepositoryJsonTests
{
    [Fact]
    public void EveryFieldSurvivesTheRoundTrip()
    {
        var catalog = new BackupCatalog
        {
            Tables = [new TableRowCount("Schéma \"x\"", "tabelle mit leerzeichen", 3_000_000, 365_000_000_000, 3364)],
            LargeObjects = 2,
            LargeObjectBytes = 4096,
            Entries = [new CatalogEntry(3364, "TABLE DATA", "public", "accounts", "Data", [3359, 12]), new CatalogEntry(7, "SCHEMA", null, "x")],
        };

        var read = BackupCatalog.Deserialize(catalog.Serialize());

        Assert.Equal(catalog.Tables, read.Tables);
        Assert.Equal(2, read.LargeObjects);
        Assert.Equal(4096, read.LargeObjectBytes);
        Assert.Equal(2, read.Entries.Count);
        Assert.Equal(catalog.Entries[0] with { Dependencies = null }, read.Entries[0] with { Dependencies = null });
        Assert.Equal([3359, 12], read.Entries[0].Dependencies);
        Assert.Equal(catalog.Entries[1], read.Entries[1] with { Dependencies = null });
    }

    [Fact]
    public void ReadsTheCamelCaseNamesItWritesAndOlderCatalogsWithoutEntries()
    {
        var json = Encoding.UTF8.GetString(new BackupCatalog { Tables = [new TableRowCount("s", "t", 1, 2, 3)] }.Serialize());
        Assert.Contains("\"largeObjectBytes\"", json);
        Assert.Contains("\"dumpId\": 3", json);

        var read = BackupCatalog.Deserialize(Encoding.UTF8.GetBytes("{\"tables\":[{\"schema\":\"s\",\"table\":\"t\",\"rows\":1,\"bytes\":2,\"dumpId\":3}],\"largeObjects\":0}"));
        Assert.Equal(new TableRowCount("s", "t", 1, 2, 3), read.Tables.Single());
        Assert.Empty(read.Entries);
    }

    [Fact]
    public void AManifestWithoutTagsReadsWithNoTags()
    {
        var manifest = new BackupManifest
        {
            Id = "20261206T120000Z-abcdef",
            RepositoryId = "r",
            Type = "logical",
            Database = "shop",
            Server = new ServerFacts { Host = "h", Port = 5432, Version = "15.1" },
            StartTime = DateTimeOffset.UnixEpoch,
            EndTime = DateTimeOffset.UnixEpoch.AddSeconds(1),
            Compression = "zstd",
            Files = [],
            Tool = new ToolFacts { Name = "test", Version = "0", MachineName = "m" },
            Tags = ["before-migration"],
        };
        Assert.Equal(["before-migration"], BackupManifest.Deserialize(manifest.Serialize()).Tags);

        var json = JsonNode.Parse(manifest.Serialize())!.AsObject();
        Assert.True(json.Remove("tags"));
        var read = BackupManifest.Deserialize(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.NotNull(read.Tags);
        Assert.Empty(read.Tags);
        Assert.Equal("shop", read.Database);
    }
}
