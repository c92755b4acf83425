namespace Edge.TestSupport;

/// <summary>
/// A real component a test needs is not installed. Tests fail with this (never skip), and the message names
/// the Debian package so the reader knows exactly what to install (./run test installs all of them).
/// </summary>
public sealed class MissingComponentException : Exception
{
    public MissingComponentException(string what, string debianPackage)
        : base($"{what} is missing: install the Debian package '{debianPackage}' (apt-get install {debianPackage}); ./run test installs it automatically.")
    {
        DebianPackage = debianPackage;
    }

    public string DebianPackage { get; }
}
