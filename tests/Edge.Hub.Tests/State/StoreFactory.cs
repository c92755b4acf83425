using Edge.Hub.Ingest;
using Edge.Hub.State;
using Edge.TestSupport;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Tests.State;

internal static class StoreFactory
{
    public static SqliteStateStore Create(string? path = null, DeadLetterOptions? deadLetters = null)
    {
        path ??= Path.Combine(TestDirectories.Create("state"), "state.db");
        return new SqliteStateStore(
            Options.Create(new StateStoreOptions { Path = path }),
            Options.Create(deadLetters ?? new DeadLetterOptions()));
    }

    public static SqliteStateStore Open(string? path = null, DeadLetterOptions? deadLetters = null)
    {
        var store = Create(path, deadLetters);
        store.Open();
        return store;
    }
}
