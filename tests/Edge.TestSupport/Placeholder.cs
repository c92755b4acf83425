namespace Edge.TestSupport;

internal static class Placeholder
{
}
