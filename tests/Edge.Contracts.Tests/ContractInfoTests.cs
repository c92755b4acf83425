using Edge.Contracts;
using Xunit;

namespace Edge.Contracts.Tests;

public sealed class ContractInfoTests
{
    [Fact]
    public void Schema_major_version_is_one()
    {
        Assert.Equal(1, ContractInfo.SchemaMajor);
    }
}
