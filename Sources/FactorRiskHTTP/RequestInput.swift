import FactorRiskCore
import Hummingbird

/// Reading what a request sends: query parameters and JSON bodies, each refused with its name.
enum RequestInput {
    /// A `YYYY-MM-DD` query parameter, or nil when absent.
    static func date(_ request: Request, _ name: String) throws(APIError) -> CalendarDate? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        guard let date = CalendarDate(iso: raw) else { throw .invalidParameter(name, "\"\(raw)\" is not a date (YYYY-MM-DD)") }
        return date
    }

    static func string(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name).map { String($0) }
    }

    static func required(_ request: Request, _ name: String) throws(APIError) -> String {
        guard let value = string(request, name), !value.isEmpty else { throw .invalidParameter(name, "is required") }
        return value
    }

    /// An integer query parameter within `range`, or `fallback` when absent.
    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int>, default fallback: Int) throws(APIError) -> Int {
        guard let raw = string(request, name) else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw .invalidParameter(name, "\"\(raw)\" is not an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// Money in base minor units from a decimal string.
    static func money(_ raw: String, exponent: Int, path: String) throws(APIError) -> Int64 {
        let minor: Int64
        do {
            minor = try Money.parse(raw, exponent: exponent)
        } catch {
            throw APIError(.unprocessableContent, "validation_failed", "\(path): \(error)", details: [.init(path, "\(error)")])
        }
        if minor > Money.largestAmount, let refusal = Money.refusal(minor, text: raw, exponent: exponent) {
            throw APIError(.unprocessableContent, "validation_failed", "\(path): \(refusal)", details: [.init(path, refusal)])
        }
        return minor
    }

    /// The body as a JSON object, refusing members not in `allowed`.
    static func jsonObject(_ request: Request, context: APIContext, allowed: Set<String>) async throws -> [(String, JSONValue)] {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let value: JSONValue
        do {
            value = try JSONValue.parse(body.readableBytesView)
        } catch {
            throw APIError(.badRequest, "invalid_json", "the body is not JSON: \(error)")
        }
        guard case .object(let members) = value else {
            throw APIError(.unprocessableContent, "validation_failed", "the body must be a JSON object, not \(value.typeName)",
                           details: [.init("$", "expected an object, found \(value.typeName)")])
        }
        let unknown = members.map(\.0).filter { !allowed.contains($0) }
        if !unknown.isEmpty {
            throw APIError(.unprocessableContent, "validation_failed", "unknown field \(unknown.map { "\"\($0)\"" }.joined(separator: ", "))",
                           details: unknown.map { .init("$.\($0)", "unknown field") })
        }
        return members
    }

    /// A string member; nil when absent and not `required`.
    static func string(_ members: [(String, JSONValue)], _ name: String, path: String, required: Bool) throws(APIError) -> String? {
        guard let value = members.first(where: { $0.0 == name })?.1 else {
            if required { throw APIError(.unprocessableContent, "validation_failed", "\(path) is required", details: [.init(path, "is required")]) }
            return nil
        }
        guard case .string(let text) = value else {
            throw APIError(.unprocessableContent, "validation_failed", "\(path) must be a string, not \(value.typeName)",
                           details: [.init(path, "expected a string, found \(value.typeName)")])
        }
        return text
    }
}
