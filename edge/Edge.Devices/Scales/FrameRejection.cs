namespace Edge.Devices.Scales;

/// <summary>Why a frame did not become a sample. Every rejection is counted per reason; none becomes a weight.</summary>
public enum FrameRejection
{
    /// <summary>Not rejected: the frame became a sample.</summary>
    None = 0,

    /// <summary>The frame's checksum did not match its content.</summary>
    ChecksumMismatch,

    /// <summary>The frame had the wrong length or was cut short by the next start byte.</summary>
    Truncated,

    /// <summary>The frame grew beyond the configured maximum length before its end byte came.</summary>
    Oversize,

    /// <summary>The frame's fields are not what the protocol allows (letters in digits, missing fields).</summary>
    Garbled,

    /// <summary>The frame names a unit the gateway does not convert.</summary>
    UnknownUnit,

    /// <summary>The weight is beyond any plausible scale (more than 1000 t).</summary>
    ImplausibleWeight,

    /// <summary>The indicator answered with an error (MT-SICS <c>ES</c>/<c>ET</c>/<c>EL</c>, or a <c>S I</c> busy reply).</summary>
    IndicatorError,

    /// <summary>A well-formed frame that carries no weight (an echo or an acknowledgement); counted but harmless.</summary>
    NotAWeight,
}
