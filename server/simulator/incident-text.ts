import type { IncidentCategory, IncidentSource } from '@/lib/domain/enums';

/**
 * Incident titles by category, in the words of real 网格 and 12345 tickets. Placeholders: {road} a street
 * name, {community} a community, {poi} a named place near by.
 */
export const TITLE_TEMPLATES: Record<IncidentCategory, readonly string[]> = {
  dispute: [
    '{community}邻里噪音纠纷',
    '{community}楼上漏水引发邻里矛盾',
    '{road}商铺租赁合同纠纷',
    '{road}工地拖欠农民工工资',
    '{poi}消费纠纷',
    '{community}家庭矛盾需调解',
    '{community}停车位归属纠纷',
    '{road}交通事故赔偿纠纷',
    '{community}物业费收缴纠纷',
  ],
  public_security: [
    '{community}有可疑人员徘徊',
    '{road}电动车被盗',
    '{poi}附近发生打架斗殴',
    '{community}疑似入室盗窃',
    '{road}有人醉酒滋事',
    '{poi}周边发现电信诈骗传单',
  ],
  fire_safety: [
    '{community}楼道堆放杂物堵塞消防通道',
    '{community}电动车进楼入户充电',
    '{road}沿街商铺烟感报警',
    '{community}高层住宅消防栓无水',
    '{poi}消防设施损坏',
  ],
  work_safety: [
    '{road}工地脚手架存在安全隐患',
    '{community}燃气管道老化',
    '{road}施工未设安全围挡',
    '{community}小作坊存在安全隐患',
  ],
  traffic: [
    '{road}两车追尾',
    '{road}路口信号灯故障',
    '{road}车辆违停堵塞消防通道',
    '{road}电动车与行人碰撞',
    '{poi}门前交通拥堵',
  ],
  environment: [
    '{community}垃圾清运不及时',
    '{road}污水外溢',
    '{community}餐饮油烟扰民',
    '{road}建筑工地扬尘',
    '{community}绿化带被毁种菜',
  ],
  city_management: [
    '{road}占道经营',
    '{road}共享单车乱停放',
    '{community}违章搭建',
    '{road}户外广告牌松动',
    '{poi}门口流动摊贩',
    '{road}井盖缺失',
  ],
  special_population: [
    '{community}社区矫正人员走访',
    '{community}独居老人需要帮扶',
    '{community}严重精神障碍患者情绪异常',
    '{community}刑满释放人员帮扶',
  ],
  petition: ['{community}拆迁补偿信访', '{community}业主集体反映物业问题', '{road}工程款拖欠信访'],
  citizen_request: [
    '{community}路灯损坏报修',
    '{community}小区停水咨询',
    '{road}公交站台破损',
    '{community}夜间施工噪音投诉',
    '{community}老旧小区改造咨询',
    '{poi}周边增设停车位建议',
    '{community}电梯长期故障投诉',
  ],
  emergency: [
    '{community}燃气泄漏',
    '{road}路面塌陷',
    '{community}电梯困人',
    '{road}暴雨积水',
    '{road}树木倒伏压住车辆',
  ],
  other: ['{community}老人走失求助', '{road}流浪犬伤人', '{community}群众咨询政策'],
};

/** How a report opens, by source: "市民张女士来电反映：…". */
export function detailFor(source: IncidentSource, title: string, who: string): string {
  switch (source) {
    case 'hotline_12345':
      return `市民${who}来电反映：${title}，请相关部门尽快处理。`;
    case 'police_110':
      return `110指挥中心转警：${who}报称${title}，请就近处置。`;
    case 'grid_worker':
      return `网格员${who}巡查发现：${title}，已拍照上报。`;
    case 'video_patrol':
      return `视频巡查发现：${title}，请核实处置。`;
    case 'sensor':
      return `物联感知设备告警：${title}。`;
    case 'public_app':
      return `群众${who}通过随手拍上报：${title}。`;
  }
}
