namespace Edge.Devices.Scales;

/// <summary>Turns one frame of an indicator protocol into a <see cref="ScaleSample"/>.</summary>
/// <remarks>Implementations are stateless and thread-safe, allocate nothing per frame (the regex format excepted) and never throw on bad input.</remarks>
public interface IIndicatorParser
{
    /// <summary>Parses one frame as cut by the protocol's <see cref="FramingOptions"/>.</summary>
    /// <param name="frame">The frame's bytes.</param>
    /// <param name="timestamp">When the frame was received; becomes <see cref="ScaleSample.Timestamp"/>.</param>
    /// <param name="sample">The sample when the result is <see cref="FrameRejection.None"/>.</param>
    /// <returns><see cref="FrameRejection.None"/>, or why the frame is not a sample.</returns>
    FrameRejection TryParse(ReadOnlySpan<byte> frame, DateTimeOffset timestamp, out ScaleSample sample);

    /// <summary>The framing this protocol needs.</summary>
    /// <returns>New framing options.</returns>
    FramingOptions CreateFraming();
}
