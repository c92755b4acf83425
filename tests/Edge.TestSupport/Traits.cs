namespace Edge.TestSupport;

/// <summary>
/// Test categories. Use as <c>[Trait(Traits.Category, Traits.Integration)]</c>. ./run test runs everything except
/// <see cref="Hardware"/>, which needs a real Raspberry Pi with the devices attached.
/// </summary>
public static class Traits
{
    public const string Category = "Category";
    public const string Integration = "Integration";
    public const string Hardware = "Hardware";
}
