"""The OpenAPI 3.1 description of the public JSON API (DESIGN §7), served at /du-lieu-mo/openapi.json."""

_RESULT = {
    "type": "object",
    "required": [
        "unit_code",
        "unit_name",
        "total",
        "rank",
        "rank_of",
        "total_change",
        "rank_change",
        "band",
        "rank_source",
        "peer_count",
        "ranked_count",
    ],
    "properties": {
        "unit_code": {"type": "string", "description": "Mã đơn vị hành chính chính thức.", "examples": ["12364"]},
        "unit_name": {"type": "string", "examples": ["Xã Hải Thắng"]},
        "total": {
            "type": ["number", "null"],
            "description": "Điểm tổng hợp như công bố (tối đa 100).",
            "examples": [88.03],
        },
        "rank": {
            "type": ["integer", "null"],
            "description": "Hạng; null khi đơn vị chưa có số liệu. Điểm bằng nhau cùng hạng (1, 2, 2, 4).",
        },
        "rank_of": {"type": "integer", "description": "Số đơn vị cùng nhóm xếp hạng."},
        "total_change": {"type": ["number", "null"], "description": "Thay đổi điểm so với kỳ trước."},
        "rank_change": {
            "type": ["integer", "null"],
            "description": "Thay đổi hạng; dương là tăng hạng (từ 20 lên 13 là +7).",
        },
        "band": {"type": ["string", "null"], "description": "Xếp loại: Xuất sắc, Tốt, Khá, Trung bình, Yếu."},
        "rank_source": {
            "type": ["string", "null"],
            "enum": ["published", "computed", None],
            "description": (
                "Nguồn của hạng: “published” là hạng nguồn số liệu (Cổng Dịch vụ công quốc gia) công bố, ghi trong "
                "tệp nhập; “computed” là hạng cổng tính từ điểm tổng hợp của các đơn vị cùng nhóm có số liệu; "
                "null khi đơn vị không có hạng."
            ),
        },
        "peer_count": {
            "type": "integer",
            "description": (
                "Số đơn vị cùng nhóm (cùng cấp, cùng đơn vị cấp trên, còn hiệu lực trong kỳ), kể cả đơn vị chưa có "
                "số liệu. Hạng tính (“computed”) chỉ là hạng chính thức khi ranked_count bằng peer_count."
            ),
        },
        "ranked_count": {
            "type": "integer",
            "description": (
                "Số đơn vị cùng nhóm có điểm tổng hợp, trong đó hạng tính được tính; nhóm chỉ một đơn vị có số "
                "liệu thì không xếp hạng."
            ),
        },
    },
}

_UNIT = {
    "type": "object",
    "required": ["code", "name", "level", "parent_code", "valid_from", "valid_to"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "level": {"type": "string", "enum": ["province", "district", "commune", "department"]},
        "parent_code": {"type": ["string", "null"]},
        "valid_from": {"type": ["string", "null"], "format": "date"},
        "valid_to": {"type": ["string", "null"], "format": "date"},
    },
}


# Longer than 60 lines on purpose: it is one literal document (the API's description), not logic.
def openapi_document(*, base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API dữ liệu mở Bộ chỉ số phục vụ người dân, doanh nghiệp",
            "version": "1",
            "description": (
                "Kết quả xếp hạng đã công bố theo Quyết định 766/QĐ-TTg. Chỉ các kỳ đã công bố được trả về cho "
                "người dùng không đăng nhập; kỳ chưa công bố trả 404. Mã đơn vị được dùng lại sau sắp xếp "
                "năm 2025: mã cùng với kỳ mới xác định một đơn vị."
            ),
            "license": {"name": "Dữ liệu công khai của cơ quan nhà nước"},
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/api/v1/rankings/": {
                "get": {
                    "operationId": "rankingsList",
                    "summary": "Xếp hạng các đơn vị trực thuộc một đơn vị trong một kỳ",
                    "parameters": [
                        {
                            "name": "period",
                            "in": "query",
                            "required": True,
                            "description": "Tháng YYYY-MM, quý YYYY-Qn hoặc năm YYYY (quý, năm: trung bình các tháng).",
                            "schema": {"type": "string", "pattern": "^\\d{4}(-\\d{2}|-Q[1-4])?$"},
                            "examples": {"month": {"value": "2024-08"}, "quarter": {"value": "2024-Q3"}},
                        },
                        {
                            "name": "parent",
                            "in": "query",
                            "required": False,
                            "description": "Mã hoặc tên đơn vị cấp trên (đơn vị có hiệu lực trong kỳ).",
                            "schema": {"type": "string"},
                            "examples": {"district": {"value": "332"}},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Kết quả theo thứ tự hạng.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["period", "parent", "data_as_of", "months_averaged", "results"],
                                        "properties": {
                                            "period": {"type": "string"},
                                            "months_averaged": {
                                                "type": ["integer", "null"],
                                                "description": (
                                                    "Quý, năm: số tháng đã công bố được lấy trung bình (chỉ đơn vị "
                                                    "có đủ mọi tháng đó được xếp hạng); null với một tháng."
                                                ),
                                            },
                                            "parent": {"type": ["string", "null"]},
                                            "data_as_of": {
                                                "type": ["string", "null"],
                                                "format": "date-time",
                                                "description": "Thời điểm tính số liệu.",
                                            },
                                            "results": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Result"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "Tham số không hợp lệ (thông báo nêu rõ tham số nào)."},
                        "404": {"description": "Kỳ chưa công bố hoặc không có số liệu."},
                    },
                }
            },
            "/api/v1/units/": {
                "get": {
                    "operationId": "unitsSearch",
                    "summary": "Tìm đơn vị theo tên, không phân biệt dấu",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1},
                            "examples": {"nodiacritics": {"value": "thuy loi"}},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "Các đơn vị khớp.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Unit"}}
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/xep-hang/": {
                "get": {
                    "operationId": "rankingsPage",
                    "summary": "Bảng xếp hạng trên cổng; thêm format=csv|xlsx|json để tải đúng bảng đang xem",
                    "parameters": [
                        {"name": "period", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "parent",
                            "in": "query",
                            "description": "HỆ.MÃ, ví dụ legacy.332, hoặc all.",
                            "schema": {"type": "string"},
                        },
                        {"name": "level", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "q",
                            "in": "query",
                            "description": "Tìm theo tên, không dấu.",
                            "schema": {"type": "string"},
                        },
                        {"name": "sort", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "format",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["csv", "xlsx", "json"]},
                        },
                    ],
                    "responses": {
                        "200": {"description": "HTML, hoặc tệp CSV (UTF-8 có BOM), XLSX, JSON."},
                        "404": {"description": "Kỳ chưa công bố."},
                    },
                }
            },
        },
        "components": {"schemas": {"Result": _RESULT, "Unit": _UNIT}},
    }
