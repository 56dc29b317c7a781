package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// FeedStore is what the province's feed, snapshots and yearly exports read.
type FeedStore interface {
	FeedAfter(ctx context.Context, cursor int64, types []string, limit int) ([]models.FeedEvent, error)
	FeedHead(ctx context.Context) (int64, error)
	ReleasedRecords(ctx context.Context, dest any, ids []string) error
	ReleasedIDs(ctx context.Context, scope models.ReleaseScope, model any, ids []string) (map[string]bool, error)
	Snapshot(ctx context.Context, read func(models.ReleasedReader) error) error
}

// FeedHandler serves the feed tag.
type FeedHandler struct {
	store FeedStore
	types []recordType // feedTypes: the record types that leave the city
}

// recordPage is how many records a snapshot or an export reads at a time.
const recordPage = 500

// GetFeed implements getFeed.
func (h *FeedHandler) GetFeed(ctx context.Context, req api.GetFeedRequestObject) (api.GetFeedResponseObject, error) {
	p := req.Params
	var cursor int64
	if p.Cursor != nil {
		c, err := strconv.ParseInt(*p.Cursor, 10, 64)
		if err != nil || c < 0 {
			return nil, invalidCursor()
		}
		cursor = c
	}
	limit := 1000
	if p.Limit != nil {
		limit = int(*p.Limit)
	}
	types := h.selected(p.Types)
	events, err := h.store.FeedAfter(ctx, cursor, names(types), limit)
	var expired *models.FeedExpiredError
	if errors.As(err, &expired) {
		return nil, newHTTPError(http.StatusGone, "feed_cursor_expired", "%s", expired.Error())
	}
	if err != nil {
		return nil, err
	}
	// Each event is served as its record is now: the records are read by
	// type, a batch each, and those no longer released are tombstones.
	ids := map[string][]string{}
	for _, e := range events {
		ids[e.RecordType] = append(ids[e.RecordType], e.RecordID)
	}
	now := map[string]map[string]renderedRecord{}
	for _, t := range types {
		if len(ids[t.name]) == 0 {
			continue
		}
		if now[t.name], err = t.byID(ctx, h.store, ids[t.name]); err != nil {
			return nil, err
		}
	}
	page := feedPage{events: events, records: make([]*renderedRecord, len(events)), next: strconv.FormatInt(cursor, 10)}
	for i, e := range events {
		if r, ok := now[e.RecordType][e.RecordID]; ok {
			page.records[i] = &r
		}
		page.next = strconv.FormatInt(*e.Seq, 10)
	}
	return page, nil
}

// feedPage is a page of the feed (the contract's FeedPage), written as the
// generated response writes it, byte for byte, except that each record's
// JSON, rendered already, is copied rather than scanned again: encoding/json
// compacts every json.RawMessage it writes, a third of serving the feed.
// TestFeedPageBytes holds it to the generated encoding.
type feedPage struct {
	events  []models.FeedEvent
	records []*renderedRecord // nil for a record no longer released: a delete
	next    string
}

func (p feedPage) VisitGetFeedResponse(w http.ResponseWriter) error {
	body, err := p.appendJSON(make([]byte, 0, 4096+len(p.events)*512))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// appendJSON appends the page as json.Encoder writes an api.FeedPage: the
// fields of each event in the generated struct's (alphabetical) order, the
// empty ones left out, and a newline at the end.
func (p feedPage) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"items":[`...)
	for i, e := range p.events {
		if i > 0 {
			b = append(b, ',')
		}
		id, err := uuidOf(e.RecordID).MarshalText()
		if err != nil {
			return nil, err
		}
		b = append(b, `{"id":"`...)
		b = append(b, id...)
		b = append(b, `","occurredAt":`...)
		if b, err = e.OccurredAt.UTC().AppendText(append(b, '"')); err != nil {
			return nil, err
		}
		r := p.records[i]
		if r == nil {
			b = append(b, `","operation":"`+string(api.Delete)+`"`...)
		} else {
			b = append(b, `","operation":"`+string(api.Upsert)+`","record":`...)
			b = append(b, r.body...)
		}
		b = append(b, `,"recordType":`...)
		b = appendJSONString(b, e.RecordType)
		b = append(b, `,"seq":`...)
		b = strconv.AppendInt(b, *e.Seq, 10)
		if r != nil {
			b = append(b, `,"version":`...)
			b = strconv.AppendInt(b, r.version, 10)
		}
		b = append(b, '}')
	}
	b = append(b, `],"nextCursor":`...)
	b = appendJSONString(b, p.next)
	return append(b, "}\n"...), nil
}

// appendJSONString appends s as encoding/json writes a string: quoted, and
// escaped through encoding/json itself unless every byte is one it copies.
func appendJSONString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s) // a string always marshals
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// GetSnapshot implements getSnapshot.
func (h *FeedHandler) GetSnapshot(ctx context.Context, req api.GetSnapshotRequestObject) (api.GetSnapshotResponseObject, error) {
	types := h.selected(req.Params.Types)
	zip := req.Params.AcceptEncoding != nil && acceptsGzip(*req.Params.AcceptEncoding)
	body := stream(ctx, func(w io.Writer) error {
		if zip {
			z := gzip.NewWriter(w)
			w = z
			defer func() { _ = z.Close() }()
		}
		return h.store.Snapshot(ctx, func(r models.ReleasedReader) error {
			if err := writeRecords(ctx, w, h.store, r, types, 0); err != nil {
				return err
			}
			end, err := json.Marshal(snapshotEnd{Cursor: strconv.FormatInt(r.Cursor(), 10)})
			if err != nil {
				return err
			}
			_, err = w.Write(append(end, '\n'))
			return err
		})
	})
	out := api.GetSnapshot200ApplicationxNdjsonResponse{Body: body}
	if zip {
		out.Headers.ContentEncoding = ptr("gzip")
	}
	return out, nil
}

// ExportYear implements exportYear.
func (h *FeedHandler) ExportYear(ctx context.Context, req api.ExportYearRequestObject) (api.ExportYearResponseObject, error) {
	year := int(req.Year)
	// The feed's head moves with every change of a released record, and is
	// read before the records: an export is never older than its tag.
	head, err := h.store.FeedHead(ctx)
	if err != nil {
		return nil, err
	}
	tag := `"` + strconv.FormatInt(head, 10) + `"`
	if req.Params.IfNoneMatch != nil && *req.Params.IfNoneMatch == tag {
		return api.ExportYear304Response{Headers: api.ExportYear304ResponseHeaders{ETag: &tag}}, nil
	}
	if req.Params.Format != nil && *req.Params.Format == api.ExportYearParamsFormatNdjson {
		body := stream(ctx, func(w io.Writer) error {
			return h.store.Snapshot(ctx, func(r models.ReleasedReader) error { return writeRecords(ctx, w, h.store, r, h.types, year) })
		})
		return api.ExportYear200ApplicationxNdjsonResponse{Body: body, Headers: api.ExportYear200ResponseHeaders{
			ETag: &tag, ContentDisposition: ptr(contentDisposition(fmt.Sprintf("%d年度数据.ndjson", year)))}}, nil
	}
	body := stream(ctx, func(w io.Writer) error {
		return h.store.Snapshot(ctx, func(r models.ReleasedReader) error { return writeWorkbook(ctx, w, h.store, r, h.types, year) })
	})
	return api.ExportYear200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body,
		Headers: api.ExportYear200ResponseHeaders{ETag: &tag, ContentDisposition: ptr(contentDisposition(fmt.Sprintf("%d年度数据.xlsx", year)))}}, nil
}

// snapshotEnd is a snapshot's last line (the contract's SnapshotEnd).
type snapshotEnd struct {
	Cursor string `json:"cursor"`
}

// selected is the registered types among those asked for (all when none).
func (h *FeedHandler) selected(asked *api.RecordTypesQuery) []recordType {
	if asked == nil || len(*asked) == 0 {
		return h.types
	}
	var out []recordType
	for _, t := range h.types {
		if slices.Contains(*asked, api.RecordType(t.name)) {
			out = append(out, t)
		}
	}
	return out
}

func names(types []recordType) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = t.name
	}
	return out
}

// writeRecords writes the released records of these types (of year, unless
// zero) as NDJSON lines, a page at a time.
func writeRecords(ctx context.Context, w io.Writer, store FeedStore, r models.ReleasedReader, types []recordType, year int) error {
	var line []byte
	for _, t := range types {
		for page, err := range t.pages(ctx, store, r, year) {
			if err != nil {
				return err
			}
			for _, rec := range page {
				line = line[:0]
				line = append(line, `{"recordType":`...)
				line = strconv.AppendQuote(line, t.name)
				line = append(line, `,"id":`...)
				line = strconv.AppendQuote(line, rec.id)
				line = append(line, `,"version":`...)
				line = strconv.AppendInt(line, rec.version, 10)
				line = append(line, `,"record":`...)
				line = append(line, rec.body...)
				line = append(line, "}\n"...)
				if _, err := w.Write(line); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// acceptsGzip reports whether an Accept-Encoding value admits gzip.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(coding) != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// writeWorkbook writes the released records of a year as a workbook with one
// sheet per record type: a column per field of the record as its GET shows
// it, headed in Chinese (fieldHeaders); texts as they are, nested values as
// JSON text. Rows stream from the snapshot into the workbook's temporary
// files, a page at a time.
func writeWorkbook(ctx context.Context, w io.Writer, store FeedStore, r models.ReleasedReader, types []recordType, year int) error {
	var failed error
	sheets := make([]sheet.SheetData, len(types))
	for i, t := range types {
		cols := make([]sheet.OutColumn, len(t.columns))
		for j, c := range t.columns {
			cols[j] = sheet.OutColumn{Key: c, Header: fieldHeader(c), Text: true}
		}
		sheets[i] = sheet.SheetData{Name: t.title, Columns: cols, More: func(yield func([]string) bool) {
			for page, err := range t.pages(ctx, store, r, year) {
				if err != nil {
					failed = err
					return
				}
				for _, rec := range page {
					row, err := cells(rec.body, t.columns)
					if err != nil {
						failed = err
						return
					}
					if !yield(row) {
						return
					}
				}
			}
		}}
	}
	if err := sheet.WriteXLSX(w, sheets); err != nil {
		return err
	}
	return failed
}

// cells are a rendered record's fields as cell texts, in the columns' order.
func cells(body json.RawMessage, columns []string) ([]string, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	row := make([]string, len(columns))
	for i, c := range columns {
		v, ok := fields[c]
		switch {
		case !ok || string(v) == "null":
		case len(v) > 0 && v[0] == '"':
			if err := json.Unmarshal(v, &row[i]); err != nil {
				return nil, err
			}
		default:
			row[i] = string(v)
		}
	}
	return row, nil
}

// fieldHeaders are the Chinese headers of the fields that exported records
// carry; TestFeedColumnsHaveHeaders fails for a field without one.
var fieldHeaders = map[string]string{
	"asOf": "统计日期", "carriedIntoPlanId": "结转至计划", "category": "类别", "closedAt": "关闭时间", "closedBy": "关闭人",
	"code": "编码", "comment": "说明", "content": "内容", "createdAt": "创建时间", "createdBy": "创建人",
	"detail": "详情", "documentNumber": "文号", "edition": "版次", "effectiveDate": "施行日期", "endedAt": "终止时间",
	"evidence": "佐证材料", "flags": "标记", "gradeBands": "等次划分", "id": "编号", "indicatorId": "指标",
	"indicatorIds": "关联指标", "issuingUnitId": "发布单位", "kind": "类型", "level": "层级", "listId": "清单",
	"measures": "整改措施", "name": "名称", "nextSteps": "下一步计划", "parentId": "上级单位", "parentPlanId": "上级计划",
	"path": "路径", "percent": "完成百分比", "period": "期间", "planId": "计划", "previousEditionId": "上一版",
	"problems": "存在问题", "publishedAt": "发布时间", "publishedBy": "发布人", "qualifier": "限定", "rawText": "原文",
	"rectificationTaskId": "整改任务", "rectifyingSince": "整改开始时间", "returnReason": "退回理由", "reviewComment": "审核意见",
	"reviewScore": "审核得分", "reviewedAt": "审核时间", "reviewedBy": "审核人", "sampleData": "示例数据", "sections": "正文",
	"selfScore": "自评得分", "shortName": "简称", "signOffNote": "销号说明", "signedOffAt": "签发时间", "signedOffBy": "签发人",
	"source": "来源", "status": "状态", "submittedAt": "提交时间", "submittedBy": "提交人", "supersededById": "被更正为",
	"supersedesId": "更正自", "systemId": "指标体系", "taskCount": "任务数", "taskId": "任务", "taskIds": "关联任务",
	"text": "文字", "title": "标题", "totalPoints": "总分", "unfinishedCount": "未完成任务数", "unitId": "单位",
	"unitIds": "参评单位", "untracedFigures": "未溯源数字", "updatedAt": "更新时间", "value": "数值", "version": "版本",
	"versionNo": "版本号", "year": "年度", "yearFrom": "起始年度", "yearTo": "终止年度", "yesNo": "是否",
	"aggregation": "汇总方式", "criteria": "评分标准", "direction": "指标方向", "evidenceRequired": "须附佐证",
	"frequency": "填报频次", "leadUnitId": "牵头单位", "measureUnit": "计量单位", "points": "分值",
	"reportingUnitIds": "填报单位", "scoring": "计分规则", "sortOrder": "排序", "sourceIndicatorId": "来源指标",
	"valueType": "数值类型", "attributes": "其他栏目", "checklistId": "所属清单", "implementingUnitId": "实施单位",
	"itemKey": "事项标识", "legalBasis": "法律依据", "remark": "备注", "sequence": "序号",
	"comparator": "比较方式", "note": "备注说明", "sample": "示例", "valueTo": "数值上限",
	"amountWaived": "减免金额（元）", "caseDate": "结案日期", "caseNumber": "案件编号", "itemId": "清单事项",
	"legalPersons": "受益法人数", "naturalPersons": "受益自然人数", "answers": "自查结果", "overdue": "是否逾期",
	"roundId": "自查轮次", "assigningUnitId": "部署单位", "deadline": "截止日期", "sheets": "自查表",
	"cancelReason": "取消理由", "carriedFromTaskId": "结转自任务", "checklistIds": "关联清单", "completedAt": "完成时间",
	"completedBy": "完成人", "cooperatingUnitIds": "配合单位", "leadUnitIds": "牵头单位", "number": "任务序号",
	"ongoing": "长期坚持", "progress": "进度（%）", "sourceTaskId": "分解自任务", "supervised": "督办",
}

// fieldHeader is a field's header, or its JSON name when it has none.
func fieldHeader(field string) string {
	if h, ok := fieldHeaders[field]; ok {
		return h
	}
	return field
}
